// How a target is stored in an audit record (issue 19): by name, except `default`, stored as none,
// which is also what every record written before targets has. So `?target=default` finds both.
import { DEFAULT_TARGET } from '../domain/targets.js';

/** The stored value a target filter matches: null for `default`. */
export function storedTarget(target: string): string | null {
  return target === DEFAULT_TARGET ? null : target;
}
