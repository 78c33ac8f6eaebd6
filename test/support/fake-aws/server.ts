// The HTTP side of the fake: one node:http server for both services, answering as restJson1 does
// (status, `x-amzn-errortype` on errors, `x-amzn-requestid` on everything), recording every call
// and applying injected faults and the optional rate limits before the operation runs.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsError, apiGatewayError, lambdaError } from './errors.js';
import { faultError, throttledApiGateway, throttledLambda, type FaultInjector } from './faults.js';
import type { MatchedOperation } from './operations.js';
import type { TokenBucket } from './rate-limit.js';
import { accessKeyIdOf, type FakeSts } from './sts.js';
import { signingRegionOf, type FakeScope } from './signing.js';
import type { FakeCall, ServiceName } from './types.js';

/** How long a 'timeout' fault holds the socket before destroying it, unless the rule says otherwise. */
const DEFAULT_TIMEOUT_HOLD_MS = 10_000;
const DEFAULT_LATENCY_MS = 1_000;

export interface FakeServerDependencies {
  /** The operation table of the account and region a request lands in (scopes.ts). */
  match(method: string, pathname: string, scope: FakeScope): MatchedOperation | undefined;
  faults: FaultInjector;
  rateLimits(scope: FakeScope): Partial<Record<ServiceName, TokenBucket>>;
  calls: FakeCall[];
  /** The ARN to name in Lambda's "update in progress" conflict message. */
  lambdaResource(functionName: string | undefined, scope: FakeScope): string;
  /** Where an unsigned request lands (and the region of a signed one without a scope). */
  defaultScope: FakeScope;
  /** Answers awsQuery STS calls (POST / with a form body). */
  sts?: FakeSts;
}

export interface FakeServer {
  url: string;
  close(): Promise<void>;
}

export async function startFakeServer(deps: FakeServerDependencies): Promise<FakeServer> {
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the fake itself: answer rather than hang the SDK.
      if (!res.headersSent) send(res, undefined, apiGatewayError(500, 'InternalFailure', String(error)));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rawBody = await readBody(req);
    const accessKeyId = accessKeyIdOf(req.headers.authorization);
    if (deps.sts && method === 'POST' && url.pathname === '/' && isForm(req)) {
      handleSts(deps.sts, res, rawBody, accessKeyId);
      return;
    }
    // As at AWS: the account is the signing key's, the region the signing scope's.
    const scope: FakeScope = {
      accountId: deps.sts ? deps.sts.identityOf(accessKeyId).accountId : deps.defaultScope.accountId,
      region: signingRegionOf(req.headers.authorization) ?? deps.defaultScope.region,
    };
    const matched = deps.match(method, url.pathname, scope);
    const service: ServiceName = matched?.operation.service ?? (url.pathname.startsWith('/2015-03-31/') ? 'lambda' : 'apigatewayv2');
    const parsed = parseJson(rawBody);
    const call: FakeCall = {
      service,
      operation: matched?.operation.name ?? 'Unknown',
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parsed.ok ? parsed.value : rawBody,
      status: 0,
      requestId: randomUUID(),
      receivedAt: performance.now(),
      ...(accessKeyId !== undefined ? { accessKeyId } : {}),
      accountId: scope.accountId,
      region: scope.region,
    };
    deps.calls.push(call);

    if (!matched) {
      send(res, call, new AwsError(404, 'UnknownOperationException', { message: `No operation matches ${method} ${url.pathname}` }));
      return;
    }
    let loseResponse = false;
    for (const rule of deps.faults.select(service, matched.operation.name)) {
      if (rule.fault === 'lost-response') {
        loseResponse = true;
      } else if (rule.fault === 'latency') {
        await wait(rule.latencyMs ?? DEFAULT_LATENCY_MS);
      } else if (rule.fault === 'timeout') {
        // Never answer: the client sees its own timeout, or a reset once the hold ends.
        await wait(rule.latencyMs ?? DEFAULT_TIMEOUT_HOLD_MS);
        req.socket.destroy();
        return;
      } else {
        send(res, call, faultError(rule.fault, service, deps.lambdaResource(matched.params.FunctionName, scope)));
        return;
      }
    }
    if (deps.rateLimits(scope)[service]?.take() === false) {
      send(res, call, service === 'lambda' ? throttledLambda() : throttledApiGateway());
      return;
    }
    if (!parsed.ok) {
      send(
        res,
        call,
        service === 'lambda'
          ? lambdaError(400, 'InvalidRequestContentException', 'Could not parse request body into json')
          : apiGatewayError(400, 'BadRequestException', 'Invalid request body: could not parse JSON'),
      );
      return;
    }
    try {
      const result = matched.operation.handle({
        params: matched.params,
        query: call.query,
        body: parsed.value,
        ...(accessKeyId !== undefined ? { accessKeyId } : {}),
      });
      if (loseResponse) {
        // Done, but the answer never arrives: the connection resets (status stays 0).
        req.socket.destroy();
        return;
      }
      send(res, call, result.status, result.body);
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      send(res, call, error);
    }
  }

  function handleSts(sts: FakeSts, res: ServerResponse, rawBody: string, accessKeyId: string | undefined): void {
    const form = new URLSearchParams(rawBody);
    const requestId = randomUUID();
    const answer = sts.handle(form, accessKeyId, requestId);
    deps.calls.push({
      service: 'sts',
      operation: answer.operation,
      method: 'POST',
      path: '/',
      query: {},
      body: Object.fromEntries(form),
      status: answer.status,
      requestId,
      // Answered at once, in the same tick.
      receivedAt: performance.now(),
      answeredAt: performance.now(),
      ...(accessKeyId !== undefined ? { accessKeyId } : {}),
    });
    res.writeHead(answer.status, {
      'x-amzn-requestid': requestId,
      'content-type': 'text/xml',
      'content-length': String(Buffer.byteLength(answer.xml)),
    });
    res.end(answer.xml);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // The SDK keeps connections alive; close() alone would wait for them.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, call: FakeCall | undefined, outcome: AwsError | number, body?: unknown): void {
  const requestId = call?.requestId ?? randomUUID();
  const headers: Record<string, string> = { 'x-amzn-requestid': requestId };
  let status: number;
  let payload: string | undefined;
  if (outcome instanceof AwsError) {
    status = outcome.status;
    headers['x-amzn-errortype'] = outcome.errorType;
    Object.assign(headers, outcome.headers);
    payload = JSON.stringify(outcome.body);
  } else {
    status = outcome;
    payload = status === 204 || body === undefined ? undefined : JSON.stringify(body);
  }
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  if (call) {
    call.status = status;
    call.answeredAt = performance.now();
  }
  res.writeHead(status, headers);
  res.end(payload);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  if (raw.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
}

function isForm(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}
