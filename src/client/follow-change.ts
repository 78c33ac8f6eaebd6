// Following a change that outlasted its wait bound: a mutation answers 202 with the change as it
// stands and `Location: /v1/changes/{id}`, and GET /v1/changes/{id} shows its progress until it ends.
import { setTimeout as sleep } from 'node:timers/promises';
import type { GatewireClient } from './create-client.js';
import type { components } from './openapi-types.js';

export type Change = components['schemas']['Change'];
export type Problem = components['schemas']['Problem'];

export interface FollowOptions {
  /** Time between two polls. */
  intervalMs: number;
  /** Called with every view of the change, the last one included. */
  onUpdate?: (change: Change) => void;
  signal?: AbortSignal;
}

/**
 * Whether a mutation was answered `202 Accepted`: the change goes on, and the body is the change as
 * it stands (the document's 202, a Change); otherwise it is the mutation's own answer. openapi-fetch
 * types a mutation's `data` as either; this tells them apart, as the status does.
 */
export function isAccepted<T>(data: T, response: Response): data is Extract<T, Change> {
  return response.status === 202;
}

/** The change id of a 202's `Location` (`…/v1/changes/{id}`, behind any stage prefix). */
export function changeIdOfLocation(location: string): string {
  const match = /\/v1\/changes\/([^/?#]+)/.exec(location);
  if (!match?.[1]) throw new Error(`not a change location: ${location}`);
  return decodeURIComponent(match[1]);
}

/** Polls the change until it is no longer pending; resolves with its last view, or the problem that stopped the polling. */
export async function followChange(
  client: GatewireClient,
  changeId: string,
  options: FollowOptions,
): Promise<{ change: Change; problem?: undefined } | { change?: undefined; problem: Problem }> {
  const wait = (ms: number) => sleep(ms, undefined, options.signal ? { signal: options.signal } : {});
  let busy = 0;
  for (;;) {
    const { data, error, response } = await client.GET('/v1/changes/{changeId}', {
      params: { path: { changeId } },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    // The change goes on whether or not this poll is answered: a throttled poll (429) or a
    // moment without the audit store (503) is waited out, as Retry-After asks, a few times.
    if (RETRIED_STATUSES.has(response.status) && busy < MAX_BUSY_POLLS) {
      busy += 1;
      await wait(Math.max(options.intervalMs, retryAfterMs(response)));
      continue;
    }
    if (!data) return { problem: error ?? unexpected(response) };
    busy = 0;
    options.onUpdate?.(data);
    if (data.status !== 'pending') return { change: data };
    await wait(options.intervalMs);
  }
}

const RETRIED_STATUSES = new Set([429, 503]);
const MAX_BUSY_POLLS = 5;

function retryAfterMs(response: Response): number {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 30) * 1000 : 0;
}

function unexpected(response: Response): Problem {
  return { type: 'about:blank', title: response.statusText || 'Unexpected answer', status: response.status };
}
