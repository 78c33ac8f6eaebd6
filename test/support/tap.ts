// The type of a tap test context (`t` inside t.test), for helpers that take one.
import type tap from 'tap';

export type TestContext = Parameters<Parameters<typeof tap.test>[0]>[0];
