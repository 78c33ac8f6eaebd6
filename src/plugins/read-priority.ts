// GET handlers run as reads (services/read-context.ts): their AWS calls queue behind changes' calls,
// are refused past the read wait bound (503 + Retry-After), and may be coalesced or answered
// from a short cache (aws/read-coalescer.ts). An answer built from a cached AWS answer carries
// `Age` (RFC 9111 §5.1): the seconds since the oldest AWS answer it used was fresh. Installed on
// the /v1 scope only: probes and docs make no AWS calls and keep their fast path.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { runAsRead, type ReadContext } from '../services/read-context.js';

export function installReadPriority(app: FastifyInstance): void {
  const contexts = new WeakMap<FastifyRequest, ReadContext>();
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    if (!methods.includes('GET') && !methods.includes('HEAD')) return;
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function readHandler(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      const context: ReadContext = {};
      contexts.set(request, context);
      return runAsRead(context, () => handler.call(this, request, reply));
    } as RouteHandlerMethod;
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const cachedAt = contexts.get(request)?.oldestCachedAt;
    if (cachedAt !== undefined) reply.header('age', String(Math.max(0, Math.floor((Date.now() - cachedAt) / 1000))));
    done(null, payload);
  });
}
