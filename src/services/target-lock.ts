// Change locks keyed by target (issue 19). API ids are unique within a region only, so the same id
// in two targets names two APIs: their changes must not wait for each other. The default target
// keeps the bare API id as its key, so a lock (PostgreSQL advisory key, DynamoDB lock item) taken
// by a Gatewire from before targets, or by one still running during a rolling deploy, is the same
// lock; another target's key is `{target}/{apiId}`, which no bare API id can be (ids have no `/`).
import { DEFAULT_TARGET } from '../domain/targets.js';
import type { ApiLock } from './ports.js';

/** The lock key of an API in a target; undefined or `default`: the bare API id. */
export function targetLockKey(target: string | undefined, apiId: string): string {
  return target === undefined || target === DEFAULT_TARGET ? apiId : `${target}/${apiId}`;
}

/** The shared lock, as one target's services see it: every key is that target's. */
export function targetKeyedLock(lock: ApiLock, target: string | undefined): ApiLock {
  if (target === undefined || target === DEFAULT_TARGET) return lock;
  return { withLock: (apiId, work) => lock.withLock(targetLockKey(target, apiId), work) };
}
