// How a mutation answers (DESIGN §3 step 9): with the change's result when it ends within the wait
// bound, otherwise `202 Accepted` with `Location: /v1/changes/{id}` and `Retry-After`, while the
// change goes on. The bound is Gatewire's default (below API Gateway's 29 s), or the caller's
// `Prefer: wait=N`; `Prefer: respond-async` answers 202 as soon as the change is journaled
// (RFC 7240). On Lambda the invocation's remaining time bounds it too, and a change still running
// at the bound is handed over at its next step boundary and continued by another invocation.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PendingChange } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';
import { ChangeContinuesElsewhere, type ChangeCaller, type ChangeContext, type ChangeResponse, type ChangeRun } from '../services/change-runner.js';
import type { ChangeService } from '../services/change-service.js';
import type { ContinuationPort } from '../services/ports.js';
import { changeContext, type ChangeQuery } from './change-context.js';
import { parsePrefer } from './prefer.js';

export interface ChangeAnswerOptions {
  changes: ChangeService;
  /** Where a change handed over at the end of a Lambda invocation goes on. */
  continuation: ContinuationPort;
  /** The wait bound when the caller names none. */
  defaultWaitMs: number;
  /** The longest wait a caller may ask for: below the server's socket timeouts (app.ts). */
  maxWaitMs: number;
  /**
   * Lambda: kept back from the invocation's remaining time, for the step in flight at the bound
   * (one AWS call's timeout), the hand-over and the answer.
   */
  lambdaMarginMs: number;
}

export type AnswerChange = (
  request: FastifyRequest,
  reply: FastifyReply,
  query: ChangeQuery,
  run: (context: ChangeContext) => Promise<ChangeRun<unknown>>,
) => Promise<FastifyReply>;

type LambdaRequest = FastifyRequest & {
  awsLambda?: { context?: { getRemainingTimeInMillis?: () => number }; event?: { path?: string; requestContext?: { path?: string } } };
};

type Settled = { done: ChangeRun<unknown> } | { failed: unknown };

/** Waiting callers are told to come back within this, however long the change still has to run. */
const MAX_RETRY_AFTER_SECONDS = 30;

export function createChangeAnswers(options: ChangeAnswerOptions): AnswerChange {
  return async function answerChange(request, reply, query, run) {
    const prefer = parsePrefer(request.headers['prefer']);
    const startedAt = Date.now();
    const remaining = (request as LambdaRequest).awsLambda?.context?.getRemainingTimeInMillis?.();
    const lambdaLimit = remaining === undefined ? undefined : Math.max(0, remaining - options.lambdaMarginMs);
    const wanted = prefer.respondAsync ? 0 : Math.min(prefer.waitSeconds === undefined ? options.defaultWaitMs : prefer.waitSeconds * 1000, options.maxWaitMs);
    const bound = lambdaLimit === undefined ? wanted : Math.min(wanted, lambdaLimit);
    // A change not started by the bound is queued behind another change to its API (or its reads
    // are slow): it answers once it starts (202) or ends, and is given up (nothing ran) only at the
    // longest wait the server allows, or what the Lambda invocation has left.
    const startLimit = Math.max(bound, lambdaLimit ?? options.maxWaitMs);

    const start = startTracker(lambdaLimit === undefined ? undefined : startedAt + bound);
    const context = { ...changeContext(request, query), caller: start.caller };
    const normalize = serializedShape(reply);
    const work: Promise<Settled> = run({ ...context, normalizeBody: normalize }).then(
      (result) => ({ done: result }),
      (error: unknown) => ({ failed: error }),
    );

    // The end, or the bound; a change not started by the bound gets until the start limit to start.
    let end = orUndefined(await raceWith(work, startedAt + bound));
    if (!end && !start.changeId()) {
      const first = await raceWith(Promise.race([work, start.started.then(() => undefined)]), startedAt + startLimit);
      if (first === 'timeout') {
        if (start.giveUp()) {
          throw new DomainError(
            'deadline-exceeded',
            `the change could not start within ${Math.round(startLimit / 1000)} s (the API's lock or AWS's reads were slow); nothing was changed`,
            { retryAfterSeconds: 5 },
          );
        }
        await start.started;
      } else {
        end = first;
      }
    }
    if (end && 'done' in end) return send(reply, end.done.response);
    if (end && !(end.failed instanceof ChangeContinuesElsewhere)) throw end.failed;

    const changeId = start.changeId()!;
    if (lambdaLimit !== undefined) {
      // The invocation ends with this answer: the change stops at its next step boundary (it is
      // past its hand-over time) and another invocation continues it.
      end ??= await work;
      if ('done' in end) return send(reply, end.done.response);
      if (!(end.failed instanceof ChangeContinuesElsewhere)) throw end.failed;
      const { apiId } = end.failed;
      await options.continuation.continueLater(changeId, apiId).catch((error: unknown) => {
        // The sweep finds it anyway once its lease is gone.
        request.log.warn({ err: error, changeId }, 'could not start the continuation of the change; the sweep will take it over');
      });
    } else {
      void work.then((later) => {
        if ('failed' in later && !(later.failed instanceof ChangeContinuesElsewhere)) request.log.info({ changeId, err: later.failed }, 'change ended after its 202');
      });
    }
    return accepted(request, reply, start.pending()!, prefer, options);
  };
}

/** The caller's side of the start: the runner claims it right before the pending record, or sees it given up. */
function startTracker(handOverAt: number | undefined) {
  let state: 'waiting' | 'starting' | 'started' | 'abandoned' = 'waiting';
  let id: string | undefined;
  let record: PendingChange | undefined;
  let resolveStarted!: (changeId: string) => void;
  const started = new Promise<string>((resolve) => {
    resolveStarted = resolve;
  });
  const caller: ChangeCaller = {
    claimStart() {
      if (state === 'abandoned') return false;
      state = 'starting';
      return true;
    },
    started(changeId, pending) {
      state = 'started';
      id = changeId;
      record = pending;
      resolveStarted(changeId);
    },
    ...(handOverAt !== undefined ? { handOverAt } : {}),
  };
  return {
    caller,
    started,
    changeId: () => id,
    /** The pending record as the runner wrote it (set with the change id). */
    pending: () => record,
    /** True when nothing started and nothing will; false when the start is already under way. */
    giveUp() {
      if (state !== 'waiting') return false;
      state = 'abandoned';
      return true;
    },
  };
}

function orUndefined<T>(value: T | 'timeout'): T | undefined {
  return value === 'timeout' ? undefined : value;
}

async function raceWith<T>(promise: Promise<T>, deadline: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function send(reply: FastifyReply, response: ChangeResponse): FastifyReply {
  reply.status(response.status);
  for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value);
  return reply.send(response.body);
}

/**
 * The 202: its body is the change as it stands (the route's 202 schema, Change). The record was
 * written moments ago; a store that does not give it back yet (a read that misses the write, or
 * fails for a moment) must not turn a running change into an error its caller would retry, so the
 * body is then the change as its runner started it.
 */
async function accepted(
  request: FastifyRequest,
  reply: FastifyReply,
  pending: PendingChange,
  prefer: ReturnType<typeof parsePrefer>,
  options: ChangeAnswerOptions,
): Promise<FastifyReply> {
  const changeId = pending.id;
  const stored = await options.changes.view(changeId).catch((error: unknown) => {
    request.log.warn({ err: error, changeId }, 'could not read the change back for its 202; answering with the change as it started');
    return undefined;
  });
  const view = stored ?? options.changes.startedView(pending);
  const secondsLeft = view.progress.estimatedSecondsLeft ?? 1;
  const applied = [...(prefer.respondAsync ? ['respond-async'] : []), ...(prefer.waitSeconds !== undefined ? [`wait=${prefer.waitSeconds}`] : [])];
  reply
    .status(202)
    .header('location', `${publicPrefix(request)}/v1/changes/${changeId}`)
    .header('retry-after', String(Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(secondsLeft)))));
  if (applied.length > 0) reply.header('preference-applied', applied.join(', '));
  return reply.send(view);
}

/**
 * The path the client sees in front of Gatewire's own: behind API Gateway (Lambda), a REST stage
 * (`/prod`) comes before the path the app sees, and a Location without it would miss.
 */
function publicPrefix(request: FastifyRequest): string {
  const event = (request as LambdaRequest).awsLambda?.event;
  const full = event?.requestContext?.path;
  const own = event?.path;
  if (typeof full !== 'string' || typeof own !== 'string' || !full.endsWith(own)) return '';
  return full.slice(0, full.length - own.length);
}

/** The body as the route's response schema sends it (fields not in the schema are stripped). */
function serializedShape(reply: FastifyReply): (status: number, body: unknown) => unknown {
  return (status, body) => {
    const serialize = reply.getSerializationFunction(String(status));
    return typeof serialize === 'function' && body !== null && typeof body === 'object' ? JSON.parse(serialize(body as Record<string, unknown>)) : body;
  };
}
