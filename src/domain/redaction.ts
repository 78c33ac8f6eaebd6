// What Gatewire never keeps or shows: secrets in the requests, plans and states of changes
// (DESIGN §5). Redaction goes by where a value sits in Gatewire's own data, not by what a key is
// called: a route named `apiKey` or `refreshToken`, a response key or a content type is a name the
// caller chose, not a field, and its whole value stays. What goes:
//   - the values of parameter mappings (`requestParameters`, `responseParameters`) whose header
//     or parameter is a credential (`integration.request.header.Authorization`, `…querystring.api_key`);
//   - credentials inside any text: `user:pass@` in URLs, and `?api_key=…`-style query parameters;
//   - as a safety net for data Gatewire does not model (foreign fields), the value of any field
//     whose name looks secret (`password`, `clientSecret`, …) — field names only, never map keys.
// Pure: the audit store wrapper (audit/redact.ts) applies it on write, and drift (services) to the
// live state it shows, so that a read-scope caller sees from AWS nothing the record hides.

export const REDACTED = '[redacted]';

// Compared after lower-casing and dropping '-' and '_', so `x-api-key`, `api_key`, `apiKey`
// and `X-Api-Key` are one name.
const SECRET_NAMES = new Set([
  'authorization',
  'proxyauthorization',
  'password',
  'passwd',
  'passphrase',
  'secret',
  'clientsecret',
  'secretaccesskey',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'sessiontoken',
  'apikey',
  'xapikey',
  'credentials',
  'cookie',
  'setcookie',
  'privatekey',
]);

/** Query parameters that carry credentials by convention, besides the secret names above (`?key=`, presigned URLs). */
const SECRET_QUERY_NAMES = new Set(['key', 'sig', 'signature', 'xamzsignature', 'xamzsecuritytoken', 'xamzcredential', 'code']);

function isSecretQueryName(name: string): boolean {
  return isSecretKey(name) || SECRET_QUERY_NAMES.has(name.toLowerCase().replace(/[-_]/g, ''));
}

// Substrings that make any name secret: `dbPassword`, `webhookSecret`, `slackToken`, `x-auth-token`.
const SECRET_PARTS = ['password', 'passwd', 'secret', 'token', 'apikey', 'privatekey'];

// Not secrets although they contain a secret-looking part: fields Gatewire keeps to stay
// auditable. (`credentialsArn` and `invokeWithCallerCredentials` never match: `credentials` is
// matched as a whole name only.)
const KEPT_NAMES = new Set(['tokencount', 'tokentype']);

/** Fields whose keys are names the caller chose (route keys, response keys, content types): data, never judged. */
const CHOSEN_KEY_MAPS = new Set(['routes', 'outcomes', 'responses', 'requestTemplates', 'responseTemplates', 'stageVariables']);

/** Fields whose keys are parameter mappings: judged by the header or parameter they name. */
const PARAMETER_MAPS = new Set(['requestParameters', 'responseParameters']);

/**
 * True when a header, parameter or field of this name holds a credential. A dotted name is a
 * parameter mapping (`integration.request.header.Authorization`): its last segment decides.
 */
export function isSecretKey(key: string): boolean {
  const lastSegment = key.slice(key.lastIndexOf('.') + 1);
  const name = lastSegment.toLowerCase().replace(/[-_]/g, '');
  if (name === '' || KEPT_NAMES.has(name)) return false;
  return SECRET_NAMES.has(name) || SECRET_PARTS.some((part) => name.includes(part));
}

// `scheme://user:pass@host` and `scheme://token@host`.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@'"?#]+@/gi;
// `?name=value` and `&name=value`.
const QUERY_PARAMETER = /([?&])([^=&#\s'"]+)=([^&#\s'"]*)/g;

/** `text` with the credentials inside it (URL userinfo, secret query parameters) replaced. */
export function redactText(text: string): string {
  if (!text.includes('@') && !text.includes('=')) return text;
  return text
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(QUERY_PARAMETER, (whole, separator: string, name: string) => (isSecretQueryName(safeDecode(name)) ? `${separator}${name}=${REDACTED}` : whole));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A deep copy of `value` (JSON-like data) with its secrets replaced by '[redacted]' (see above).
 * Whatever sits under a secret name goes, objects and arrays included. Cycles are cut.
 */
export function redactSecrets<T>(value: T): T {
  return copy(value, 'field', new WeakSet()) as T;
}

/** What the keys of the object being copied are: field names, names the caller chose, or parameter mappings. */
type KeyKind = 'field' | 'chosen' | 'mapping';

function copy(value: unknown, keys: KeyKind, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => copy(item, 'field', seen));
    if (value instanceof Date) return new Date(value.getTime());
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (keys !== 'chosen' && isSecretKey(key)) {
        out[key] = REDACTED;
        continue;
      }
      const innerKeys: KeyKind = keys === 'field' && CHOSEN_KEY_MAPS.has(key) ? 'chosen' : keys === 'field' && PARAMETER_MAPS.has(key) ? 'mapping' : 'field';
      out[key] = copy(inner, innerKeys, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
