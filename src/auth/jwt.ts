// Bearer JWTs verified against the identity provider's JWKS (jose's createRemoteJWKSet fetches and
// caches the key set, and refetches on an unknown `kid`). Issuer, audience, expiry and not-before
// are checked; only asymmetric algorithms are accepted (a JWKS publishes public keys).
//
// jose is imported when the first token is verified: a deployment without JWTs (API keys, or
// Lambda behind API Gateway's authorizer) never loads it, and a Lambda cold start does not parse it.
import type { JWTVerifyGetKey } from 'jose';
import type { Grant, JwtSettings } from './credentials.js';
import { claimValues, scopesFromClaim } from './credentials.js';

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Why a token was refused, in words safe to return to the caller (never the token itself). */
export class JwtRejected extends Error {
  override name = 'JwtRejected';
}

export type JwtVerifier = (token: string) => Promise<Grant>;

/** A verifier for `settings`; `keys` replaces the remote JWKS (tests may pass a local key set). */
export function createJwtVerifier(settings: JwtSettings, keys?: JWTVerifyGetKey): JwtVerifier {
  // One key set (and its cache of fetched keys) for every token, made on the first one.
  let loaded: Promise<{ jose: typeof import('jose'); keySet: JWTVerifyGetKey }> | undefined;
  const load = async () => {
    const jose = await import('jose');
    const keySet = keys ?? jose.createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
    return { jose, keySet };
  };
  return async (token) => {
    const { jose, keySet } = await (loaded ??= load());
    try {
      const { payload } = await jose.jwtVerify(token, keySet, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: 30,
      });
      return {
        actor: { id: String(payload.sub), kind: 'jwt' },
        scopes: scopesFromClaim(payload[settings.scopeClaim], settings.scopePrefix),
        tokenScopes: claimValues(payload[settings.scopeClaim]),
      };
    } catch (error) {
      throw new JwtRejected(reasonOf(jose.errors, error), { cause: error });
    }
  };
}

function reasonOf(errors: typeof import('jose').errors, error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's "${error.claim}" claim is not accepted`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (error instanceof errors.JWKSNoMatchingKey) return "no key of the issuer's key set matches the token";
  if (error instanceof errors.JOSEAlgNotAllowed) return "the token's algorithm is not accepted";
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC') {
    return "the issuer's key set could not be fetched";
  }
  return 'the token is not a valid JWT';
}
