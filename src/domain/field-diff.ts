// Compares the fields AWS holds with the fields a change wants.

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/**
 * The value that removes a key of a map field in place, for the map fields where AWS documents one
 * (docs/decisions.md, "In-place edits"). UpdateIntegration merges `requestParameters` into what the
 * integration holds and drops each key sent with an empty string; Terraform's
 * aws_apigatewayv2_integration update sends removed keys exactly so.
 */
export const MAP_KEY_REMOVAL_VALUE = '';

export interface FieldDiff<T> {
  /** Fields whose desired value differs from the current one (desired values, as the update sends them). */
  changed: Partial<T>;
  /** The current values of the changed fields, to undo the change (as the undoing update sends them). */
  previous: Partial<T>;
  /**
   * True when the current object holds something the desired one does not (a field it leaves
   * out, or a map key it drops) and no update can remove it: the object is replaced. Keys of the
   * fields named in `removableInPlace` are removed by the update instead.
   */
  needsRemoval: boolean;
}

export interface DiffOptions<T> {
  /** Map fields an update merges key by key, where a key sent with "" is removed. */
  removableInPlace?: readonly (keyof T)[];
  /** Scalar fields an update clears when sent with this value (e.g. `description: ''`). */
  clearableInPlace?: Partial<Record<keyof T, unknown>>;
}

export function diffFields<T extends object>(
  current: Partial<T>,
  desired: Partial<T>,
  fields: readonly (keyof T)[],
  options: DiffOptions<T> = {},
): FieldDiff<T> {
  const changed: Partial<T> = {};
  const previous: Partial<T> = {};
  let needsRemoval = false;
  for (const field of fields) {
    const have = current[field];
    const want = desired[field];
    const inPlace = options.removableInPlace?.includes(field) === true;
    if (inPlace && (isMap(have) || have === undefined) && (isMap(want) || want === undefined)) {
      const haveMap = (have ?? {}) as Record<string, unknown>;
      const wantMap = (want ?? {}) as Record<string, unknown>;
      if (sameValue(haveMap, wantMap)) continue;
      // The update names every wanted key (AWS service integrations need some always present)
      // and each dropped key with ""; its undo does the same the other way round.
      changed[field] = mergeWithRemovals(wantMap, haveMap) as T[keyof T];
      previous[field] = mergeWithRemovals(haveMap, wantMap) as T[keyof T];
      continue;
    }
    if (want === undefined) {
      if (have === undefined || isEmpty(have)) continue;
      const reset = options.clearableInPlace?.[field];
      if (reset !== undefined) {
        changed[field] = reset as T[keyof T];
        previous[field] = current[field];
      } else {
        needsRemoval = true;
      }
      continue;
    }
    if (sameValue(have, want)) continue;
    changed[field] = want;
    previous[field] = current[field];
    if (isMap(have) && isMap(want) && Object.keys(have).some((key) => !(key in want))) needsRemoval = true;
  }
  return { changed, previous, needsRemoval };
}

/** `target`, plus each key of `other` that `target` lacks, sent as "" so that the update removes it. */
function mergeWithRemovals(target: Record<string, unknown>, other: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...target };
  for (const key of Object.keys(other)) if (!(key in target)) merged[key] = MAP_KEY_REMOVAL_VALUE;
  return merged;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmpty(value: unknown): boolean {
  return value === '' || (isMap(value) && Object.keys(value).length === 0);
}
