// Prometheus metrics at GET /metrics (fastify-metrics): request latency by method, route pattern
// and status (`http_request_duration_seconds`), Node.js process metrics, and Gatewire's own
// counters — AWS calls by operation and outcome, throttled attempts the SDK retried, and changes
// by outcome. /metrics is open like /healthz: it holds counts by route pattern and AWS operation,
// never an API id, a caller or a secret.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyMetricsModule from 'fastify-metrics';

/** aws/metrics-middleware.ts publishes each AWS call here (plugins may not import aws/, DESIGN §8). */
const AWS_CALL_CHANNEL = 'gatewire:aws-call';

interface AwsCallEvent {
  service: string;
  operation: string;
  outcome: 'ok' | 'error';
  error?: string;
  throttledRetries: number;
}

type Plugin = typeof fastifyMetricsModule.default;
// CommonJS with `exports.default`: Node's default import is the module object (a bundler's may
// already be the plugin).
const fastifyMetrics: Plugin = (fastifyMetricsModule as { default?: Plugin }).default ?? (fastifyMetricsModule as unknown as Plugin);

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function registerMetrics(app: FastifyInstance): Promise<void> {
  await app.register(fastifyMetrics, {
    endpoint: {
      url: '/metrics',
      method: 'GET',
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics',
        description:
          'Request latency by route and status, AWS calls by operation and outcome, throttled retries, changes by outcome, and Node.js process metrics, in the Prometheus text format. Open, like /healthz.',
        response: { 200: { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    } as never,
    // One app per process; a second app built in the same process (tests) starts a fresh registry.
    clearRegisterOnInit: true,
    defaultMetrics: { enabled: true },
    routeMetrics: {
      enabled: { histogram: true, summary: false },
      overrides: { histogram: { buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] } },
    },
  });
  const client = app.metrics.client;
  const registers = [client.register];
  const awsCalls = new client.Counter({
    name: 'gatewire_aws_calls_total',
    help: 'AWS API calls (after the SDK retries) by service, operation and outcome; `error` is the AWS error name.',
    labelNames: ['service', 'operation', 'outcome', 'error'],
    registers,
  });
  const throttledRetries = new client.Counter({
    name: 'gatewire_aws_throttled_retries_total',
    help: 'Attempts AWS throttled that the SDK retried, by service and operation.',
    labelNames: ['service', 'operation'],
    registers,
  });
  const changes = new client.Counter({
    name: 'gatewire_changes_total',
    help: 'Change requests by route and outcome: applied, unchanged, planned (dry run), rejected (4xx), failed (5xx).',
    labelNames: ['method', 'route', 'outcome'],
    registers,
  });

  const onAwsCall = (message: unknown) => {
    const call = message as AwsCallEvent;
    awsCalls.inc({ service: call.service, operation: call.operation, outcome: call.outcome, error: call.error ?? '' });
    if (call.throttledRetries > 0) throttledRetries.inc({ service: call.service, operation: call.operation }, call.throttledRetries);
  };
  subscribe(AWS_CALL_CHANNEL, onAwsCall);
  app.addHook('onClose', async () => {
    unsubscribe(AWS_CALL_CHANNEL, onAwsCall);
  });

  // A change's outcome is in its response body; problems are counted by their status.
  const outcomes = new WeakMap<FastifyRequest, string>();
  app.addHook('preSerialization', async (request, _reply, payload) => {
    const outcome = (payload as { outcome?: unknown } | null)?.outcome;
    if (typeof outcome === 'string') outcomes.set(request, outcome);
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === undefined || !route.startsWith('/v1/') || !MUTATING.has(request.method)) return;
    const status = reply.statusCode;
    // Not a change attempt: no credential, no scope, over the rate limit.
    if (status === 401 || status === 403 || status === 429) return;
    const outcome = status >= 500 ? 'failed' : status >= 400 ? 'rejected' : (outcomes.get(request) ?? 'applied');
    changes.inc({ method: request.method, route, outcome });
  });
}
