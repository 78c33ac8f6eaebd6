import t from 'tap';
import { createIdGenerator, ID_PATTERN, idTime } from '../../src/audit/id.js';

t.test('ids are 26 Crockford base32 characters carrying their time', async (t) => {
  const at = new Date('2025-03-01T12:34:56.789Z');
  const id = createIdGenerator({ now: () => at }).next();
  t.match(id, ID_PATTERN);
  t.equal(idTime(id).toISOString(), at.toISOString());
});

t.test('ids sort in creation order, also within one millisecond', async (t) => {
  const fixed = new Date('2025-03-01T00:00:00.000Z');
  const ids = createIdGenerator({ now: () => fixed });
  const made = Array.from({ length: 10_000 }, () => ids.next());
  t.strictSame([...made].sort(), made, 'sorted as made');
  t.equal(new Set(made).size, made.length, 'unique');
});

t.test('ids keep increasing when the clock steps back', async (t) => {
  let now = Date.parse('2025-03-01T00:00:01.000Z');
  const ids = createIdGenerator({ now: () => new Date(now) });
  const first = ids.next();
  now -= 500;
  const second = ids.next();
  t.ok(second > first);
  now += 1_000;
  const third = ids.next();
  t.ok(third > second);
  t.equal(idTime(third).toISOString(), '2025-03-01T00:00:01.500Z', 'a later time is used again');
});

t.test('later times give larger ids, across generators', async (t) => {
  const early = createIdGenerator({ now: () => new Date('2025-01-01T00:00:00.000Z') }).next();
  const late = createIdGenerator({ now: () => new Date('2025-01-01T00:00:00.001Z') }).next();
  t.ok(late > early);
});

t.test('the system clock is the default', async (t) => {
  const before = Date.now();
  const id = createIdGenerator().next();
  t.ok(idTime(id).getTime() >= before && idTime(id).getTime() <= Date.now());
  t.throws(() => idTime('not-an-id'), TypeError);
});
