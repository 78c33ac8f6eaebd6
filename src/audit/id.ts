// Time-ordered ids for audit records (ULID layout): 10 Crockford base32 characters of
// millisecond timestamp, then 16 of randomness. Sorting the strings sorts by time, which is
// what lets the store page "newest first" by id alone.
import { randomBytes } from 'node:crypto';
import type { Clock, IdGenerator } from '../services/ports.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;
const MAX_TIME = 2 ** 48 - 1;

export const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function createIdGenerator(clock: Clock = { now: () => new Date() }): IdGenerator {
  let lastTime = -1;
  let lastRandom: number[] = [];

  return {
    next() {
      const now = clock.now().getTime();
      if (now > lastTime) {
        lastTime = now;
        lastRandom = randomDigits();
      } else if (!increment(lastRandom)) {
        // Same millisecond (or the clock stepped back): stay monotonic by counting up from the
        // previous randomness. 2^80 ids in one ms cannot overflow in practice, but if it did,
        // borrowing the next millisecond keeps the order.
        lastTime += 1;
        lastRandom = randomDigits();
      }
      return encodeTime(lastTime) + lastRandom.map((digit) => ALPHABET[digit]).join('');
    },
  };
}

/** The millisecond timestamp an id was made at. */
export function idTime(id: string): Date {
  if (!ID_PATTERN.test(id)) throw new TypeError(`not a time-ordered id: ${id}`);
  let ms = 0;
  for (const char of id.slice(0, TIME_LENGTH)) ms = ms * 32 + ALPHABET.indexOf(char);
  return new Date(ms);
}

function encodeTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_TIME) throw new RangeError(`time out of range for an id: ${ms}`);
  let out = '';
  let rest = ms;
  for (let i = 0; i < TIME_LENGTH; i += 1) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function randomDigits(): number[] {
  // 256 is a multiple of 32, so masking a byte keeps every digit uniform.
  return [...randomBytes(RANDOM_LENGTH)].map((byte) => byte & 31);
}

/** Adds one to a base32 digit array in place; false when it wrapped around. */
function increment(digits: number[]): boolean {
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    const digit = digits[i]!;
    if (digit < 31) {
      digits[i] = digit + 1;
      return true;
    }
    digits[i] = 0;
  }
  return false;
}
