// Paths under /v1/targets/{target} (issue 19; docs/decisions.md): the same route plugins as under
// /v1, acting through the named target's services. The route plugins take their services at
// registration, so they get stand-ins that call the services of the request's target, which a
// preValidation hook resolves (404 for an unknown name, 502 for a role that cannot be assumed,
// both before any AWS call of the operation) and keeps in an AsyncLocalStorage for the rest of the
// request: no route file or service needs to know about targets.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import * as Type from 'typebox';
import type { TargetRegistry } from '../services/target-registry.js';
import type { TargetServices } from '../target-services.js';
import { problemResponse } from '../schemas/common.js';

export const TARGET_TAG = 'targets';

export const TargetParam = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'A target name from GET /v1/targets; `default` is the account and region of the paths without a target.',
  examples: ['default'],
});

const current = new AsyncLocalStorage<{ name: string; services: TargetServices }>();

/** The name of the request's target (under /v1/targets/:target only). */
export function requestTargetName(): string {
  const store = current.getStore();
  if (!store) throw new Error('no target resolved for this request');
  return store.name;
}

/** A stand-in for one of the target's services: every method call goes to the request's target. */
export function forRequestTarget<K extends keyof TargetServices>(key: K): TargetServices[K] {
  return new Proxy({} as TargetServices[K], {
    get(_target, method) {
      return (...args: unknown[]) => {
        const services = current.getStore()?.services;
        // Only reachable if a route were registered under the scope without its hook: a bug.
        if (!services) throw new Error(`no target resolved for ${String(key)}.${String(method)}`);
        const service = services[key] as unknown as Record<PropertyKey, (...a: unknown[]) => unknown>;
        return service[method]!(...args);
      };
    },
  });
}

/** Installs, on the /v1/targets/:target scope, the target's resolution and its documentation. */
export function installTargetScope(scope: FastifyInstance, targets: TargetRegistry): void {
  // Callback style: `done` runs the rest of the request (validation, handler) inside run()'s context.
  scope.addHook('preValidation', (request: FastifyRequest, _reply, done) => {
    const name = (request.params as { target?: string }).target ?? '';
    targets.resolve(name).then(
      (services) => current.run({ name, services }, () => done()),
      (error: Error) => done(error),
    );
  });
  scope.addHook('onRoute', (route) => documentTargetRoute(route));
}

/** Each operation names its target parameter and says the target's own 404 and 502. */
function documentTargetRoute(route: RouteOptions): void {
  const schema = route.schema ? { ...route.schema } : {};
  const params = (schema.params ?? Type.Object({})) as { properties?: Record<string, unknown>; required?: string[] };
  schema.params = {
    ...params,
    type: 'object',
    properties: { target: TargetParam, ...(params.properties ?? {}) },
    required: ['target', ...(params.required ?? [])],
  };
  const responses = { ...((schema.response ?? {}) as Record<string, { description?: string }>) };
  const notFound = responses['404'];
  responses['404'] = notFound?.description ? { ...notFound, description: `${notFound.description} Or no target has that name.` } : problemResponse('No target has that name.');
  const failed = responses['502'];
  responses['502'] = failed?.description
    ? { ...failed, description: `${failed.description} Or the target is unreachable (its role cannot be assumed): nothing was changed.` }
    : problemResponse('The target is unreachable (its role cannot be assumed): nothing was changed.');
  schema.response = responses;
  const summary = (schema as { summary?: string }).summary;
  Object.assign(schema, { tags: [TARGET_TAG], ...(summary ? { summary: `${summary} (in a target)` } : {}) });
  route.schema = schema;
}
