// The rules of the Idempotency-Key header (IETF httpapi draft "The Idempotency-Key HTTP Header
// Field"): what a key may be, how a request is fingerprinted, and which responses are kept for
// replay. Pure: no I/O (hashing is computation).
import { createHash } from 'node:crypto';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** 1-255 printable ASCII characters (space to tilde). The value is the key as sent, quotes and all. */
export const IDEMPOTENCY_KEY_PATTERN = `^[\\x20-\\x7E]{1,${IDEMPOTENCY_KEY_MAX_LENGTH}}$`;
const KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

/** Why `value` is not a usable key, or undefined when it is one. */
export function idempotencyKeyProblem(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length > IDEMPOTENCY_KEY_MAX_LENGTH) return `must be at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters`;
  if (!KEY.test(value)) return 'must be printable ASCII characters only';
  return undefined;
}

/**
 * JSON with object keys sorted at every depth, so that two bodies that differ only in key order
 * (or in whitespace) fingerprint alike. `undefined` (no body) is `null`.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface FingerprintInput {
  method: string;
  /** The request path with its query string, as sent. */
  url: string;
  body: unknown;
}

/** SHA-256 (hex) over the method, the path with its query string, and the canonical JSON of the body. */
export function requestFingerprint(input: FingerprintInput): string {
  // A JSON array keeps the three parts apart: no choice of URL can imitate another method or body.
  const text = JSON.stringify([input.method.toUpperCase(), input.url, canonicalJson(input.body)]);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Whether a response with this status is kept for replay. Responses a client should retry (5xx,
 * 429 rate limited, 409 conflict) are not: the key is released so that the retry runs again.
 */
export function isReplayableStatus(status: number): boolean {
  return status < 500 && status !== 429 && status !== 409;
}
