// Entity tags (RFC 9110 §8.8.3) of the resources Gatewire serves, and the conditional-request
// checks (§13.1.1 If-Match, §13.1.2 If-None-Match) a change makes against the state it read.
// A tag is a hash of the resource's AWS state in a canonical form, so every instance computes the
// same tag for the same state and no timestamp Gatewire makes up ever enters it.
import { createHash } from 'node:crypto';
import { DomainError } from './errors.js';
import type { Integration, IntegrationResponse, Route, RouteResponse } from './model.js';

/** `*`, or the entity tags of the header as sent (`"abc"`, `W/"abc"`). */
export type EntityTagCondition = '*' | string[];

export interface Preconditions {
  ifMatch?: EntityTagCondition;
  ifNoneMatch?: EntityTagCondition;
}

/** What a precondition is evaluated against: whether the target exists, and its current tag. */
export interface CurrentRepresentation {
  exists: boolean;
  etag: string | undefined;
}

/** 27 base64url characters are 160 bits of SHA-256: collisions are out of reach, headers stay short. */
const TAG_LENGTH = 27;

/** JSON with object keys sorted and undefined members left out, so equal states serialise equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

/** A strong entity tag (quoted) of a state. */
export function entityTagOf(state: unknown): string {
  const digest = createHash('sha256').update(canonicalJson(state)).digest('base64url');
  return `"${digest.slice(0, TAG_LENGTH)}"`;
}

const byKey = <T>(key: (item: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** AWS lists in no promised order: sorting by key keeps the tag independent of it. */
function sortedResponses(responses: readonly IntegrationResponse[]): IntegrationResponse[] {
  return [...responses].sort(byKey((response) => response.integrationResponseKey));
}

/** The tag of a route's integration: route target and selection expression, integration, and both kinds of responses. */
export function routeIntegrationEtag(state: {
  route?: Route;
  integration?: Integration;
  integrationResponses: readonly IntegrationResponse[];
  routeResponses: readonly RouteResponse[];
}): string | undefined {
  if (!state.route) return undefined;
  const { routeId, routeKey, target, routeResponseSelectionExpression } = state.route;
  return entityTagOf({
    route: { routeId, routeKey, target, routeResponseSelectionExpression },
    integration: state.integration ?? null,
    integrationResponses: sortedResponses(state.integrationResponses),
    routeResponses: [...state.routeResponses].sort(byKey((response) => response.routeResponseKey)),
  });
}

/** The tag of a raw integration: its fields and its integration responses (not the routes bound to it). */
export function integrationEtag(state: { integration: Integration; responses: readonly IntegrationResponse[] }): string {
  return entityTagOf({ integration: state.integration, integrationResponses: sortedResponses(state.responses) });
}

/** The tag of one integration response. */
export function integrationResponseEtag(response: IntegrationResponse): string {
  return entityTagOf({ integrationResponse: response });
}

const ENTITY_TAG = /^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/;

/**
 * Parses an If-Match / If-None-Match value: `*` or a comma-separated list of entity tags.
 * Returns undefined for a syntactically invalid value, which the caller reports as a 400.
 */
export function parseEntityTagCondition(header: string): EntityTagCondition | undefined {
  const value = header.trim();
  if (value === '*') return '*';
  const tags = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (tags.length === 0 || !tags.every((tag) => ENTITY_TAG.test(tag))) return undefined;
  return tags;
}

const isWeak = (tag: string) => tag.startsWith('W/');
const opaque = (tag: string) => (isWeak(tag) ? tag.slice(2) : tag);

/** §8.8.3.2 strong comparison: both tags strong and equal. */
function strongMatch(tag: string, current: string): boolean {
  return !isWeak(tag) && !isWeak(current) && tag === current;
}

/** §8.8.3.2 weak comparison: the opaque tags are equal. */
function weakMatch(tag: string, current: string): boolean {
  return opaque(tag) === opaque(current);
}

/**
 * Evaluates If-Match, then If-None-Match (§13.2.2 order), against the current representation.
 * Returns the 412 error to throw, or undefined when the change may proceed.
 */
export function failedPrecondition(preconditions: Preconditions | undefined, current: CurrentRepresentation): DomainError | undefined {
  const { ifMatch, ifNoneMatch } = preconditions ?? {};
  const etag = current.etag;
  if (ifMatch !== undefined) {
    const holds =
      ifMatch === '*' ? current.exists : current.etag !== undefined && ifMatch.some((tag) => strongMatch(tag, current.etag!));
    if (!holds) {
      return preconditionFailed(
        ifMatch === '*' ? 'If-Match: * failed: the target does not exist' : `If-Match failed: the current entity tag is ${current.etag ?? 'none (the target does not exist)'}`,
        current.etag,
      );
    }
  }
  if (ifNoneMatch !== undefined) {
    const fails = ifNoneMatch === '*' ? current.exists : etag !== undefined && ifNoneMatch.some((tag) => weakMatch(tag, etag));
    if (fails) {
      return preconditionFailed(
        ifNoneMatch === '*' ? 'If-None-Match: * failed: the target already exists' : `If-None-Match failed: the current entity tag is ${etag}`,
        current.etag,
      );
    }
  }
  return undefined;
}

function preconditionFailed(message: string, etag: string | undefined): DomainError {
  return new DomainError('precondition-failed', message, etag !== undefined ? { etag } : {});
}
