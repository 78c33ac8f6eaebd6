// The JSON body parser: Fastify's own (secure-json-parse, prototype poisoning refused), preceded by
// an iterative scan that refuses a body nested deeper than any Gatewire body can be. Every later
// stage that walks a body — Ajv's validators, the idempotency fingerprint, redaction, the loggers —
// may recurse, so a body of 100,000 brackets (600 KB, under the size limit) must stop here, as a
// 400 problem+json, before any of them sees it (issue 16 §4).
import type { FastifyInstance } from 'fastify';

/**
 * The deepest nesting accepted. The deepest real body is a bulk apply: routes → route → responses →
 * response → templates (about 6 levels); a raw integration is shallower still.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether `text` goes deeper than `limit` (counting `{` and `[` outside strings),
 * or false when it never does. Linear, no recursion; malformed JSON is left to the parser.
 */
export function exceedsJsonDepth(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}

/** A client error the problem-details handler turns into `…/problems/json-too-deep` (400). */
function tooDeepError(): Error {
  return Object.assign(new Error(`The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep; no Gatewire request needs that many.`), {
    statusCode: 400,
    code: 'json-too-deep',
  });
}

/** Replaces the application/json parser on the root instance (before any route). */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (exceedsJsonDepth(body as string, MAX_JSON_DEPTH)) {
      done(tooDeepError(), undefined);
      return;
    }
    parse(request, body as string, done);
  });
}
