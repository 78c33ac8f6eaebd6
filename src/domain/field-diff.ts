// Compares the fields AWS holds with the fields a change wants.

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

export interface FieldDiff<T> {
  /** Fields whose desired value differs from the current one (desired values). */
  changed: Partial<T>;
  /** The current values of the changed fields, to undo the change. */
  previous: Partial<T>;
  /**
   * True when the current object holds something the desired one does not: a field it leaves
   * out, or a map key it drops. A PATCH cannot express that reliably, so the object is replaced.
   */
  needsRemoval: boolean;
}

export function diffFields<T extends object>(current: Partial<T>, desired: Partial<T>, fields: readonly (keyof T)[]): FieldDiff<T> {
  const changed: Partial<T> = {};
  const previous: Partial<T> = {};
  let needsRemoval = false;
  for (const field of fields) {
    const have = current[field];
    const want = desired[field];
    if (want === undefined) {
      if (have !== undefined && !isEmpty(have)) needsRemoval = true;
      continue;
    }
    if (sameValue(have, want)) continue;
    changed[field] = want;
    previous[field] = have;
    if (isMap(have) && isMap(want) && Object.keys(have).some((key) => !(key in want))) needsRemoval = true;
  }
  return { changed, previous, needsRemoval };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmpty(value: unknown): boolean {
  return value === '' || (isMap(value) && Object.keys(value).length === 0);
}
