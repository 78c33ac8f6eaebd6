// Following a change that outlasted its wait bound: a mutation answers 202 with
// `Location: /v1/changes/{id}`, and GET /v1/changes/{id} shows its progress until it ends.
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
  for (;;) {
    const { data, error, response } = await client.GET('/v1/changes/{changeId}', {
      params: { path: { changeId } },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!data) return { problem: error ?? unexpected(response) };
    options.onUpdate?.(data);
    if (data.status !== 'pending') return { change: data };
    await sleep(options.intervalMs, undefined, options.signal ? { signal: options.signal } : {});
  }
}

function unexpected(response: Response): Problem {
  return { type: 'about:blank', title: response.statusText || 'Unexpected answer', status: response.status };
}
