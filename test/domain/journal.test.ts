// The journal replayed over a plan (domain/journal.ts): where each step stands after what the
// owner (or a taker) wrote, what it created, and how long the rest should take.
import t from 'tap';
import { carriesRedactedValue, estimateSecondsLeft, journalFacts, stepsDone, type JournalEntry } from '../../src/domain/journal.js';
import type { PlanStep } from '../../src/domain/plan.js';

const plan: PlanStep[] = [
  {
    id: 'a',
    operation: 'CreateIntegration',
    params: { apiId: 'api1', integrationType: 'MOCK' },
    description: 'a',
    compensation: { operation: 'DeleteIntegration', params: { apiId: 'api1', integrationId: '<a>' } },
  },
  {
    id: 'b',
    operation: 'CreateRoute',
    params: { apiId: 'api1', routeKey: 'b' },
    description: 'b',
    compensation: { operation: 'DeleteRoute', params: { apiId: 'api1', routeId: '<b>' } },
  },
  { id: 'c', operation: 'UpdateRoute', params: { apiId: 'api1', routeId: '<b>' }, description: 'c' },
];

let seq = 0;
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
function step(kind: 'do' | 'undo', stepId: string, phase: JournalEntry extends infer E ? (E extends { phase: infer P } ? P : never) : never, extra: object = {}): JournalEntry {
  seq += 1;
  return { seq, at: at(seq), owner: 'o', kind, stepId, operation: 'X', phase, ...extra } as JournalEntry;
}
function event(name: 'handed-over' | 'taken-over'): JournalEntry {
  seq += 1;
  return { seq, at: at(seq), owner: 'o', kind: 'event', event: name };
}

t.test('steps stand where their last entry puts them', async (t) => {
  seq = 0;
  const journal = [step('do', 'a', 'started'), step('do', 'a', 'succeeded', { createdId: 'int1' }), step('do', 'b', 'started')];
  const facts = journalFacts(plan, journal);
  t.same(Object.fromEntries(facts.standing), { a: 'done', b: 'in-doubt', c: 'not-started' });
  t.same(Object.fromEntries(facts.createdIds), { a: 'int1' });
  t.equal(facts.lastSeq, 3);
  t.equal(facts.handedOver, false);
  t.equal(stepsDone(facts), 1);
});

t.test('a lost answer: unknown, then found or absent', async (t) => {
  seq = 0;
  const found = journalFacts(plan, [step('do', 'a', 'started'), step('do', 'a', 'unknown'), step('do', 'a', 'found', { createdId: 'int9' })]);
  t.equal(found.standing.get('a'), 'done');
  t.equal(found.createdIds.get('a'), 'int9', 'what the look-up found is what compensation removes');
  const absent = journalFacts(plan, [step('do', 'a', 'started'), step('do', 'a', 'unknown'), step('do', 'a', 'absent')]);
  t.equal(absent.standing.get('a'), 'not-done');
  const unknown = journalFacts(plan, [step('do', 'a', 'started'), step('do', 'a', 'unknown')]);
  t.equal(unknown.standing.get('a'), 'in-doubt', 'nobody found out yet');
});

t.test('undo entries, and an undo left in doubt', async (t) => {
  seq = 0;
  const journal = [
    step('do', 'a', 'succeeded', { createdId: 'int1' }),
    step('do', 'b', 'succeeded', { createdId: 'r1' }),
    step('undo', 'b', 'started'),
    step('undo', 'b', 'succeeded'),
    step('undo', 'a', 'started'),
  ];
  const facts = journalFacts(plan, journal);
  t.equal(facts.standing.get('b'), 'undone');
  t.equal(facts.standing.get('a'), 'done', 'its undo never answered');
  t.ok(facts.undoInDoubt.has('a'));
  t.notOk(facts.createdIds.has('b'), 'what was undone is no longer created');
  t.equal(stepsDone(facts), 2, 'a rollback counts its undone steps as progress');
});

t.test('only the latest event counts: handed over, then taken over again', async (t) => {
  seq = 0;
  t.equal(journalFacts(plan, [step('do', 'a', 'succeeded'), event('handed-over')]).handedOver, true);
  t.equal(journalFacts(plan, [step('do', 'a', 'succeeded'), event('handed-over'), event('taken-over')]).handedOver, false);
  t.equal(journalFacts(plan, [event('handed-over'), step('do', 'b', 'started')]).handedOver, false, 'a later step means it ran on');
});

t.test('entries out of order are replayed by sequence', async (t) => {
  seq = 0;
  const started = step('do', 'a', 'started');
  const succeeded = step('do', 'a', 'succeeded');
  t.equal(journalFacts(plan, [succeeded, started]).standing.get('a'), 'done');
});

t.test('the estimate: the pace so far, never faster than the rate limit', async (t) => {
  seq = 0;
  const journal = [step('do', 'a', 'started'), step('do', 'a', 'succeeded'), step('do', 'b', 'started'), step('do', 'b', 'succeeded')];
  // 4 entries one second apart: 3 s for 2 steps, 1.5 s a step; 8 steps left.
  t.equal(estimateSecondsLeft(10, 2, journal, 0.1), 12);
  t.equal(estimateSecondsLeft(10, 2, journal, 2), 16, 'the rate limit is the floor');
  t.equal(estimateSecondsLeft(10, 0, [], 0.1), 1, 'nothing done yet: the rate limit alone');
  t.equal(estimateSecondsLeft(10, 10, journal, 0.1), 0);
});

t.test('a redacted value anywhere in the parameters', async (t) => {
  t.equal(carriesRedactedValue({ apiId: 'a', requestParameters: { 'integration.request.header.Authorization': '[redacted]' } }), true);
  t.equal(carriesRedactedValue({ list: [{ deep: ['[redacted]'] }] }), true);
  t.equal(carriesRedactedValue({ apiId: 'a', requestTemplates: { 'application/json': 'redacted' } }), false);
});
