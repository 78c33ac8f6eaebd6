// Caller credentials (DESIGN §6–7): API keys stored as SHA-256 hashes, IAM principals granted
// scopes in Lambda mode, and the scope rules. Pure functions and data: no Fastify, no I/O.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../domain/audit.js';

/** `read` < `write` < `admin`: a scope includes the ones below it. */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** What a verified caller may do: its audit identity, its scopes, and the APIs it may touch. */
export interface Grant {
  actor: Actor;
  scopes: readonly Scope[];
  /** Only these API ids; undefined means every API. */
  apiIds?: readonly string[] | undefined;
  /** A JWT's scope claim, every value as sent (guardrail policies select callers by it). */
  tokenScopes?: readonly string[];
}

/** A configured API key: its name (the audit actor id) and the SHA-256 of the key, never the key. */
export interface ApiKeyEntry {
  name: string;
  sha256: string;
  scopes: readonly Scope[];
  apiIds?: readonly string[] | undefined;
}

/** A grant for principals API Gateway authenticated (Lambda mode): an exact ARN, or a prefix ending in `*`. */
export interface PrincipalEntry {
  principal: string;
  scopes: readonly Scope[];
  apiIds?: readonly string[] | undefined;
}

export interface JwtSettings {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** The claim holding the scopes: a space-separated string (OAuth `scope`) or an array (`scp`). */
  scopeClaim: string;
  /** Prepended to `read`/`write`/`admin` in the token, e.g. `gatewire/` (Cognito resource servers). */
  scopePrefix: string;
}

export interface AuthConfig {
  apiKeys: readonly ApiKeyEntry[];
  iamPrincipals: readonly PrincipalEntry[];
  /** Verify bearer JWTs against this JWKS (undefined: JWTs are not accepted). */
  jwt: JwtSettings | undefined;
  /**
   * Lambda mode: the JWT claims an API Gateway JWT authorizer verified are trusted when their `iss`
   * is this issuer; scopes come from `scopeClaim` with `scopePrefix`.
   */
  gatewayJwt: { issuer: string; audience: string; scopeClaim: string; scopePrefix: string } | undefined;
  /**
   * Lambda mode: the API Gateway APIs whose events' identities (IAM caller, JWT authorizer claims)
   * are believed, by account and API id. An event from any other API (another API in the account
   * wired to the same function, or another account allowed to invoke it) carries no identity.
   */
  trustedApis: readonly TrustedApi[];
}

export interface TrustedApi {
  accountId: string;
  apiId: string;
}

/** GATEWIRE_LAMBDA_TRUSTED_APIS: comma-separated `accountId:apiId`; throws naming the first bad entry. */
export function parseTrustedApis(value: string | undefined): TrustedApi[] {
  const apis: TrustedApi[] = [];
  for (const raw of (value ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const match = /^(\d{12}):([a-z0-9]{1,64})$/.exec(entry);
    if (!match) throw new Error(`"${entry}" is not accountId:apiId (e.g. 123456789012:abcdef1234)`);
    apis.push({ accountId: match[1]!, apiId: match[2]! });
  }
  return apis;
}

export const API_KEY_PREFIX = 'gw_';

/** A new random API key (256 bits, base64url), e.g. for the first-run admin key. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** The lower-case hex SHA-256 of a key: what GATEWIRE_API_KEYS stores. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function includesScope(granted: readonly Scope[], required: Scope): boolean {
  const rank = SCOPES.indexOf(required);
  return granted.some((scope) => SCOPES.indexOf(scope) >= rank);
}

/** The stored key whose hash matches, compared in constant time over every entry. */
export function matchApiKey(keys: readonly ApiKeyEntry[], presented: string): ApiKeyEntry | undefined {
  const digest = Buffer.from(hashApiKey(presented), 'hex');
  let found: ApiKeyEntry | undefined;
  for (const entry of keys) {
    if (timingSafeEqual(digest, Buffer.from(entry.sha256, 'hex')) && !found) found = entry;
  }
  return found;
}

export function matchPrincipal(entries: readonly PrincipalEntry[], arn: string): PrincipalEntry | undefined {
  return entries.find((entry) =>
    entry.principal.endsWith('*') ? arn.startsWith(entry.principal.slice(0, -1)) : arn === entry.principal,
  );
}

/** Scopes from a JWT claim (space-separated string or array), keeping only `<prefix>read|write|admin`. */
/** Every value of a scope claim (a space-separated string or an array), unfiltered. */
export function claimValues(value: unknown): string[] {
  const raw = typeof value === 'string' ? value.split(/\s+/) : Array.isArray(value) ? value : [];
  return raw.filter((item): item is string => typeof item === 'string' && item !== '');
}

export function scopesFromClaim(value: unknown, prefix: string): Scope[] {
  const raw = typeof value === 'string' ? value.split(/\s+/) : Array.isArray(value) ? value : [];
  const scopes = new Set<Scope>();
  for (const item of raw) {
    if (typeof item !== 'string' || !item.startsWith(prefix)) continue;
    const name = item.slice(prefix.length);
    if ((SCOPES as readonly string[]).includes(name)) scopes.add(name as Scope);
  }
  return [...scopes];
}

// ---------------------------------------------------------------------------------------------
// Parsing the environment variables (config.ts calls these; each throws naming the bad entry).

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const API_ID = /^[a-z0-9]{1,32}$/;

function parseJsonArray(value: string | undefined): unknown[] {
  if (value === undefined || value.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error('is not valid JSON');
  }
  if (!Array.isArray(parsed)) throw new Error('must be a JSON array');
  if (parsed.length > 1000) throw new Error('has more than 1000 entries');
  return parsed;
}

function parseScopes(value: unknown, where: string): Scope[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((s) => (SCOPES as readonly unknown[]).includes(s))) {
    throw new Error(`${where}: "scopes" must be a non-empty array of ${SCOPES.join(', ')}`);
  }
  return [...new Set(value as Scope[])];
}

function parseApiIds(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > 1000 || !value.every((id) => typeof id === 'string' && API_ID.test(id))) {
    throw new Error(`${where}: "apiIds" must be a non-empty array of API ids`);
  }
  return [...new Set(value as string[])];
}

function checkFields(entry: Record<string, unknown>, allowed: string[], where: string): void {
  const unknown = Object.keys(entry).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new Error(`${where}: unknown field(s) ${unknown.join(', ')}`);
}

/**
 * GATEWIRE_API_KEYS: `[{"name":"ci","sha256":"<64 hex>","scopes":["write"],"apiIds":["abc123"]}]`.
 * Only hashes: an entry with a `key` (a plaintext key) is refused, and so is a hash that is not 64 hex digits.
 */
export function parseApiKeys(value: string | undefined): ApiKeyEntry[] {
  const names = new Set<string>();
  const hashes = new Set<string>();
  return parseJsonArray(value).map((raw, index) => {
    const where = `entry ${index}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where} is not an object`);
    const entry = raw as Record<string, unknown>;
    if ('key' in entry) throw new Error(`${where}: holds a plaintext "key"; store its SHA-256 as "sha256" (npm run hash-api-key)`);
    checkFields(entry, ['name', 'sha256', 'scopes', 'apiIds'], where);
    if (typeof entry['name'] !== 'string' || !NAME.test(entry['name'])) throw new Error(`${where}: "name" must be 1-64 letters, digits, . _ @ -`);
    const name = entry['name'];
    if (typeof entry['sha256'] !== 'string' || !/^[0-9a-fA-F]{64}$/.test(entry['sha256'])) {
      throw new Error(`${where} (${name}): "sha256" must be the 64-hex-digit SHA-256 of the key`);
    }
    const sha256 = entry['sha256'].toLowerCase();
    if (names.has(name)) throw new Error(`${where}: the name ${name} is used twice`);
    if (hashes.has(sha256)) throw new Error(`${where} (${name}): the same key is listed twice`);
    names.add(name);
    hashes.add(sha256);
    const apiIds = parseApiIds(entry['apiIds'], `${where} (${name})`);
    return { name, sha256, scopes: parseScopes(entry['scopes'], `${where} (${name})`), ...(apiIds ? { apiIds } : {}) };
  });
}

/** GATEWIRE_IAM_PRINCIPALS: `[{"principal":"arn:aws:iam::123456789012:role/deployer","scopes":["write"]}]`; a trailing `*` matches a prefix. */
export function parsePrincipals(value: string | undefined): PrincipalEntry[] {
  return parseJsonArray(value).map((raw, index) => {
    const where = `entry ${index}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where} is not an object`);
    const entry = raw as Record<string, unknown>;
    checkFields(entry, ['principal', 'scopes', 'apiIds'], where);
    const principal = entry['principal'];
    if (typeof principal !== 'string' || !/^arn:aws[a-zA-Z-]*:(iam|sts)::/.test(principal) || principal.length > 2048 || (principal.includes('*') && principal.indexOf('*') !== principal.length - 1)) {
      throw new Error(`${where}: "principal" must be an IAM or STS ARN, optionally ending in *`);
    }
    const apiIds = parseApiIds(entry['apiIds'], `${where} (${principal})`);
    return { principal, scopes: parseScopes(entry['scopes'], `${where} (${principal})`), ...(apiIds ? { apiIds } : {}) };
  });
}

export function hasCallerCredentials(auth: AuthConfig): boolean {
  return auth.apiKeys.length > 0 || auth.iamPrincipals.length > 0 || auth.jwt !== undefined || auth.gatewayJwt !== undefined;
}
