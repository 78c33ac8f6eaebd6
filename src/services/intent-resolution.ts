// Turns a validated intent into the desired integration of a route: the one step of that needs
// AWS (a bare Lambda function name is looked up in this account and region). Used by the
// single-route PUT and by bulk apply, which resolves each function once however many routes name it.
import { DomainError, type FieldViolation } from '../domain/errors.js';
import type { RouteIntegrationIntent } from '../domain/intent.js';
import { intentResponses, intentToIntegration } from '../domain/intent-to-integration.js';
import { functionArn, parseFunctionReference } from '../domain/lambda-reference.js';
import type { DesiredRouteIntegration } from '../domain/route-integration-plan.js';
import type { FactCache } from './fact-cache.js';
import type { LambdaPort } from './ports.js';

export type Resolution = { ok: true; desired: DesiredRouteIntegration } | { ok: false; violations: FieldViolation[] };

export interface IntentResolverDeps {
  lambda: LambdaPort;
  region: string;
  /** Function ARNs looked up by earlier changes (absent: every change looks its functions up). */
  facts?: FactCache;
}

/** A resolver that remembers each function it looked up (create one per change). */
export function createIntentResolver({ lambda, region, facts }: IntentResolverDeps) {
  const lookups = new Map<string, Promise<string>>();
  /** The look-ups answered from the fact cache, which recheck() verifies. */
  const fromCache = new Set<string>();

  async function resolveFunctionArn(reference: string, path: string): Promise<{ arn: string } | { violations: FieldViolation[] }> {
    const parsed = parseFunctionReference(reference);
    if (!parsed.ok) return { violations: [{ path, message: parsed.message }] };
    const { ref } = parsed;
    // An ARN (full or partial) names its account: no lookup, and none is possible across accounts.
    if (ref.accountId) return { arn: functionArn(ref, { region, accountId: ref.accountId }) };
    const key = `${ref.name}:${ref.qualifier ?? ''}`;
    let lookup = lookups.get(key);
    if (!lookup) {
      const cached = facts?.functionArns.get(key);
      if (cached !== undefined) {
        fromCache.add(key);
        lookup = Promise.resolve(cached);
      } else {
        lookup = lambda.resolveFunctionArn(ref.name, ref.qualifier);
        if (facts) void lookup.then((arn) => facts.functionArns.set(key, arn), () => undefined);
      }
      lookups.set(key, lookup);
    }
    try {
      return { arn: await lookup };
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'not-found') {
        return { violations: [{ path, message: `function ${reference} does not exist in ${region} (Lambda: ${error.message})` }] };
      }
      throw error;
    }
  }

  return {
    /**
     * Whether a function ARN this resolver took from the fact cache has been dropped since (the
     * change's reads found the function gone): the intent must then be resolved again.
     */
    stale(): boolean {
      return facts !== undefined && [...fromCache].some((key) => facts.functionArns.get(key) === undefined);
    },

    /** Forgets this resolver's look-ups, so that resolve() asks Lambda again for the dropped ones. */
    reset(): void {
      lookups.clear();
      fromCache.clear();
    },

    /** `pathPrefix` is where the intent sits in the request body ('' for a single-route PUT). */
    async resolve(intent: RouteIntegrationIntent, pathPrefix = ''): Promise<Resolution> {
      let resolvedArn: string | undefined;
      if (intent.backend.type === 'lambda') {
        const found = await resolveFunctionArn(intent.backend.function, `${pathPrefix}/backend/function`);
        if ('violations' in found) return { ok: false, violations: found.violations };
        resolvedArn = found.arn;
      }
      return {
        ok: true,
        desired: {
          integration: intentToIntegration(intent, { apiRegion: region, ...(resolvedArn ? { functionArn: resolvedArn } : {}) }),
          responses: intentResponses(intent),
          ...(intent.returnResponse !== undefined ? { returnResponse: intent.returnResponse } : {}),
        },
      };
    },
  };
}
