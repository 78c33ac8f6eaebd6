import { randomInt } from 'node:crypto';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random lowercase alphanumeric id, like API Gateway's (7 chars for routes/integrations, 10 for APIs). */
export function randomId(length: number): string {
  let id = '';
  for (let i = 0; i < length; i += 1) id += LOWER_ALNUM[randomInt(LOWER_ALNUM.length)];
  return id;
}

/** A fresh id not yet in `taken` (collisions are unlikely, but a duplicate id would corrupt state). */
export function uniqueId(length: number, taken: (id: string) => boolean): string {
  for (;;) {
    const id = randomId(length);
    if (!taken(id)) return id;
  }
}
