// The listening server's fast path for liveness probes (issue 15): an exact `GET /healthz` is
// answered in Node's request listener, before Fastify's routing, request object, id, logger child,
// hooks and serializer. Orchestrators probe every few seconds per instance and a flood of probes
// must not cost what a request does; this answers at the rate of a bare `node:http` server. The
// Fastify route in plugins/health.ts stays the documented one, and answers everything else: HEAD,
// a query string, `app.inject` (tests) and the Lambda adapter, which never reach a listener.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { FastifyServerOptions } from 'fastify';

/** What the Fastify route answers (plugins/health.ts), byte for byte. */
export const LIVENESS_BODY = '{"status":"ok"}';
const LIVENESS_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(LIVENESS_BODY)) };

export interface ProbeServerOptions {
  keepAliveTimeout: number;
  requestTimeout: number;
  connectionTimeout: number;
  /** True once the app is closing: Fastify answers then (503 with `Connection: close`), not the fast path. */
  closing: () => boolean;
}

/**
 * Fastify's `serverFactory`: the HTTP/1 server Fastify would create, with its timeouts (Fastify
 * applies them only to a server it creates itself), and the fast path in front of its handler.
 */
export function probeServerFactory(options: ProbeServerOptions): NonNullable<FastifyServerOptions['serverFactory']> {
  return (handler) => {
    const fastify = handler as unknown as RequestListener;
    const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
      if (request.url === '/healthz' && request.method === 'GET' && !options.closing()) {
        response.writeHead(200, LIVENESS_HEADERS);
        response.end(LIVENESS_BODY);
        return;
      }
      fastify(request, response);
    });
    server.keepAliveTimeout = options.keepAliveTimeout;
    server.requestTimeout = options.requestTimeout;
    server.setTimeout(options.connectionTimeout);
    return server;
  };
}
