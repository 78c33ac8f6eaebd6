// One behavioural suite for every AuditStore implementation (memory, SQLite, PostgreSQL).
// `makeStore` must return a fresh, empty, migrated store on every call.
import type { Test } from 'tap';
import type { AuditFinal, PendingAudit } from '../../src/domain/audit.js';
import { DomainError } from '../../src/domain/errors.js';
import { createIdGenerator } from '../../src/audit/id.js';
import type { AuditStore } from '../../src/services/ports.js';

export type MakeStore = () => Promise<{ store: AuditStore; close(): Promise<void> }>;

const BASE_TIME = Date.parse('2025-03-01T12:00:00.000Z');

/** Ids and occurredAt both follow a controllable clock, as they do in the change runner. */
function recordFactory() {
  let now = BASE_TIME;
  const ids = createIdGenerator({ now: () => new Date(now) });
  return {
    /** Moves the clock; every record made afterwards is newer. */
    advance(ms: number) {
      now += ms;
    },
    pending(overrides: Partial<PendingAudit> = {}): PendingAudit {
      return {
        id: ids.next(),
        occurredAt: new Date(now).toISOString(),
        actor: { id: 'alice', kind: 'api-key' },
        requestId: 'req-1',
        action: 'route-integration.put',
        apiId: 'api1',
        routeKey: '$default',
        request: { body: { backend: { type: 'mock' } } },
        plan: [{ op: 'createIntegration' }],
        before: null,
        ...overrides,
      };
    },
  };
}

const succeeded: AuditFinal = {
  status: 'succeeded',
  after: { integrationId: 'int1' },
  awsCalls: [{ service: 'apigatewayv2', operation: 'CreateIntegration', requestId: 'r-1', outcome: 'ok', durationMs: 12 }],
  durationMs: 40,
};

async function rejectsWithKind(t: Test, promise: Promise<unknown>, kind: string, message: string) {
  try {
    await promise;
    t.fail(`${message}: expected a ${kind} error`);
  } catch (error) {
    t.ok(error instanceof DomainError, `${message}: a DomainError`);
    t.equal((error as DomainError).kind, kind, message);
  }
}

export function auditStoreContract(t: Test, makeStore: MakeStore): void {
  async function open(t: Test) {
    const handle = await makeStore();
    t.teardown(() => handle.close());
    return handle.store;
  }

  t.test('a pending record, then its final state', async (t) => {
    const store = await open(t);
    const records = recordFactory();
    const pending = records.pending({ idempotencyKey: 'idem-1', integrationId: 'int0' });
    await store.appendPending(pending);

    t.strictSame(await store.get(pending.id), { ...pending, status: 'pending', awsCalls: [] }, 'pending as written');

    await store.finalize(pending.id, { ...succeeded, integrationId: 'int1' });
    const final = await store.get(pending.id);
    t.strictSame(
      final,
      {
        ...pending,
        integrationId: 'int1',
        status: 'succeeded',
        after: succeeded.after,
        awsCalls: succeeded.awsCalls,
        durationMs: 40,
        finishedAt: final?.finishedAt,
      },
      'final fields added, pending fields kept',
    );
    t.match(final?.finishedAt, /^\d{4}-\d\d-\d\dT/, 'when it left pending');
  });

  t.test('finalize without an integration id keeps the pending one', async (t) => {
    const store = await open(t);
    const pending = recordFactory().pending({ integrationId: 'int0' });
    await store.appendPending(pending);
    await store.finalize(pending.id, { status: 'failed', after: undefined, awsCalls: [], durationMs: 3 });
    const record = await store.get(pending.id);
    t.equal(record?.integrationId, 'int0');
    t.equal(record?.status, 'failed');
    t.notOk(record !== undefined && 'after' in record, 'undefined after stays absent');
  });

  t.test('a record is finalised once', async (t) => {
    const store = await open(t);
    const pending = recordFactory().pending();
    await store.appendPending(pending);
    await store.finalize(pending.id, succeeded);
    await rejectsWithKind(t, store.finalize(pending.id, { ...succeeded, status: 'failed' }), 'conflict', 'second finalize');
    t.equal((await store.get(pending.id))?.status, 'succeeded', 'first final state kept');
    await rejectsWithKind(t, store.finalize('NOPE', succeeded), 'not-found', 'finalize of an unknown id');
  });

  t.test('get of an unknown id is undefined', async (t) => {
    const store = await open(t);
    t.equal(await store.get('01ARZ3NDEKTSV4RRFFQ69G5FAV'), undefined);
  });

  t.test('list filters', async (t) => {
    const store = await open(t);
    const records = recordFactory();
    const make = async (overrides: Partial<PendingAudit>, final?: AuditFinal) => {
      records.advance(60_000);
      const record = records.pending(overrides);
      await store.appendPending(record);
      if (final !== undefined) await store.finalize(record.id, final);
      return record.id;
    };
    const a = await make({}, succeeded); // 12:01
    const b = await make({ apiId: 'api2' }); // 12:02, pending
    const c = await make({ routeKey: 'sendMessage' }, { ...succeeded, status: 'failed' }); // 12:03
    const d = await make({ actor: { id: 'bob', kind: 'jwt' } }, succeeded); // 12:04
    const e = await make({ action: 'integration.delete' }, { ...succeeded, status: 'partial', leftovers: ['x'] }); // 12:05
    const f = await make({ routeKey: undefined }, succeeded); // 12:06, no route key

    const ids = async (query: Parameters<AuditStore['list']>[0]) =>
      (await store.list(query)).items.map((record) => record.id);

    t.strictSame(await ids({ limit: 50 }), [f, e, d, c, b, a], 'all, newest first');
    t.strictSame(await ids({ limit: 50, apiId: 'api1' }), [f, e, d, c, a], 'apiId');
    t.strictSame(await ids({ limit: 50, apiId: 'api2' }), [b], 'apiId (other)');
    t.strictSame(await ids({ limit: 50, routeKey: 'sendMessage' }), [c], 'routeKey');
    t.strictSame(await ids({ limit: 50, actorId: 'bob' }), [d], 'actorId');
    t.strictSame(await ids({ limit: 50, action: 'integration.delete' }), [e], 'action');
    t.strictSame(await ids({ limit: 50, status: 'pending' }), [b], 'status pending');
    t.strictSame(await ids({ limit: 50, status: 'failed' }), [c], 'status failed');
    t.strictSame(await ids({ limit: 50, status: 'partial' }), [e], 'status partial');
    t.strictSame(await ids({ limit: 50, from: '2025-03-01T12:04:00.000Z' }), [f, e, d], 'from is inclusive');
    t.strictSame(await ids({ limit: 50, to: '2025-03-01T12:03:00.000Z' }), [b, a], 'to is exclusive');
    t.strictSame(
      await ids({ limit: 50, from: '2025-03-01T13:02:00+01:00', to: '2025-03-01T12:05:00Z' }),
      [d, c, b],
      'range, with time zones normalised',
    );
    t.strictSame(await ids({ limit: 50, apiId: 'api1', status: 'succeeded' }), [f, d, a], 'filters combine');
    t.strictSame(await ids({ limit: 50, apiId: 'nope' }), [], 'no match');
  });

  t.test('cursor pagination, newest first', async (t) => {
    const store = await open(t);
    const records = recordFactory();
    const written: string[] = [];
    for (let i = 0; i < 25; i += 1) {
      // Several per millisecond too: the ids stay ordered within one ms.
      if (i % 3 === 0) records.advance(1);
      const record = records.pending({ apiId: i % 2 === 0 ? 'even' : 'odd' });
      await store.appendPending(record);
      written.push(record.id);
    }
    const newestFirst = [...written].reverse();

    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = await store.list({ limit: 10, ...(cursor === undefined ? {} : { cursor }) });
      sizes.push(result.items.length);
      seen.push(...result.items.map((record) => record.id));
      cursor = result.nextCursor;
      if (cursor === undefined) break;
      t.notMatch(cursor, /[+/=]/, 'cursor is base64url');
    }
    t.strictSame(sizes, [10, 10, 5], 'three pages, the last without a cursor');
    t.strictSame(seen, newestFirst, 'every record once, newest first');

    const exact = await store.list({ limit: 25 });
    t.equal(exact.items.length, 25);
    t.equal(exact.nextCursor, undefined, 'no cursor when nothing follows');

    const firstOdd = await store.list({ limit: 5, apiId: 'odd' });
    const secondOdd = await store.list({ limit: 50, apiId: 'odd', cursor: firstOdd.nextCursor! });
    t.strictSame(
      [...firstOdd.items, ...secondOdd.items].map((record) => record.id),
      newestFirst.filter((_, index) => (written.length - 1 - index) % 2 === 1),
      'cursor combines with filters',
    );

    await rejectsWithKind(t, store.list({ limit: 10, cursor: '!!not a cursor' }), 'validation', 'bad cursor');
    await rejectsWithKind(t, store.list({ limit: 0 }), 'validation', 'limit 0');
    await rejectsWithKind(t, store.list({ limit: 10, from: 'yesterday' }), 'validation', 'bad from');
  });

  t.test('the guardrail policy that allowed a change is kept with its record, apart from what it knew', async (t) => {
    const store = await open(t);
    const records = recordFactory();
    const lease = { owner: 'a', expiresAt: new Date(BASE_TIME + 8_000).toISOString() };
    const deadlineAt = new Date(BASE_TIME + 600_000).toISOString();
    const withBoth = { ...records.pending(), lease, deadlineAt, known: { integrationIds: ['i1'] }, guardrailPolicy: 'chat-team' };
    const policyOnly = { ...records.pending(), lease, deadlineAt, guardrailPolicy: 'default' };
    const neither = { ...records.pending(), lease, deadlineAt };
    for (const record of [withBoth, policyOnly, neither]) await store.appendPending(record);
    t.match(await store.get(withBoth.id), { guardrailPolicy: 'chat-team', known: { integrationIds: ['i1'] } });
    t.same((await store.get(withBoth.id))?.known, { integrationIds: ['i1'] }, 'the policy is not part of what it knew');
    const onlyPolicy = await store.get(policyOnly.id);
    t.equal(onlyPolicy?.guardrailPolicy, 'default');
    t.notOk(onlyPolicy && 'known' in onlyPolicy, 'no empty known');
    t.notOk((await store.get(neither.id))?.guardrailPolicy);
  });

  t.test('the target a change acted in is kept, and filters the list; `default` is the records with none', async (t) => {
    const store = await open(t);
    const records = recordFactory();
    const home = records.pending();
    records.advance(1_000);
    const prod = records.pending({ target: 'prod-eu' });
    records.advance(1_000);
    const west = records.pending({ target: 'a-west', apiId: 'api1' });
    for (const record of [home, prod, west]) await store.appendPending(record);
    await store.finalize(prod.id, succeeded);
    t.equal((await store.get(prod.id))?.target, 'prod-eu', 'kept through finalize');
    t.notOk((await store.get(home.id)) && 'target' in (await store.get(home.id))!, 'none on a default-target record');
    const ids = async (query: { target?: string; apiId?: string; fields?: 'summary' }) => (await store.list({ limit: 10, ...query })).items.map((record) => record.id);
    t.same(await ids({ target: 'prod-eu' }), [prod.id]);
    t.same(await ids({ target: 'a-west', apiId: 'api1' }), [west.id], 'with another filter');
    t.same(await ids({ target: 'default' }), [home.id]);
    t.same(await ids({ target: 'nowhere' }), []);
    t.same(await ids({}), [west.id, prod.id, home.id], 'no filter: every target');
    t.same((await store.list({ limit: 10, target: 'prod-eu', fields: 'summary' })).items.map((record) => record.target), ['prod-eu'], 'a summary names it too');
  });

  t.test('a pending change: the journal and the lease belong to its owner', async (t) => {
    const store = await open(t);
    const records = recordFactory();
    const lease = (owner: string, at: number) => ({ owner, expiresAt: new Date(at).toISOString() });
    const change = { ...records.pending(), lease: lease('a', BASE_TIME + 8_000), deadlineAt: new Date(BASE_TIME + 600_000).toISOString(), known: { integrationIds: ['i1'] } };
    await store.appendPending(change);
    const entry = (seq: number, owner: string, phase: 'started' | 'succeeded') =>
      ({ seq, at: new Date(BASE_TIME + seq).toISOString(), owner, kind: 'do', stepId: 'create-integration', operation: 'CreateIntegration', phase }) as const;

    await store.appendJournal(change.id, lease('a', BASE_TIME + 9_000), [entry(1, 'a', 'started')]);
    await rejectsWithKind(t, store.appendJournal(change.id, lease('b', BASE_TIME + 9_000), [entry(2, 'b', 'started')]), 'lease-lost', 'another owner cannot write');
    await rejectsWithKind(t, store.renewLease(change.id, lease('b', BASE_TIME + 9_500)), 'lease-lost', 'nor renew');
    await store.renewLease(change.id, lease('a', BASE_TIME + 10_000));
    t.match(await store.get(change.id), { lease: { owner: 'a', expiresAt: '2025-03-01T12:00:10.000Z' }, known: { integrationIds: ['i1'] }, journal: [entry(1, 'a', 'started')] });

    t.same(await store.listTakeable(new Date(BASE_TIME + 9_999), 10), [], 'not takeable while the lease runs');
    t.notOk(await store.takeOver(change.id, lease('b', BASE_TIME + 20_000), new Date(BASE_TIME + 9_999)), 'nor taken over');
    t.match(await store.listTakeable(new Date(BASE_TIME + 10_001), 10), [{ id: change.id, apiId: 'api1' }], 'takeable once expired');
    const takers = await Promise.all(['b', 'c'].map((owner) => store.takeOver(change.id, lease(owner, BASE_TIME + 20_000), new Date(BASE_TIME + 10_001))));
    t.same(takers.filter(Boolean).length, 1, 'exactly one of two takers wins');
    const winner = takers[0] ? 'b' : 'c';
    await rejectsWithKind(t, store.appendJournal(change.id, lease('a', BASE_TIME + 21_000), [entry(2, 'a', 'succeeded')]), 'lease-lost', 'the old owner is out');
    t.ok(await store.takeOver(change.id, lease(winner, BASE_TIME + 30_000), new Date(BASE_TIME + 10_002)), 'an owner may take its own change again');
    t.match(await store.listPending('api1'), [{ id: change.id, lease: { owner: winner } }]);
    t.same(await store.listPending('other-api'), []);

    await rejectsWithKind(t, store.finalize(change.id, succeeded, { owner: 'a' }), 'lease-lost', 'only the owner finalises');
    await store.finalize(change.id, { ...succeeded, result: { status: 200, body: { outcome: 'applied' } } }, { owner: winner, journal: [entry(2, winner, 'succeeded')] });
    const final = await store.get(change.id);
    t.equal(final?.status, 'succeeded');
    t.notOk(final?.lease, 'a final record has no owner');
    t.same(final?.result, { status: 200, body: { outcome: 'applied' } }, 'the answer is kept');
    t.same(final?.journal?.map((e) => [e.seq, e.owner]), [[1, 'a'], [2, winner]], 'the journal, in order');
    t.same(await store.listTakeable(new Date(BASE_TIME + 100_000), 10), [], 'final records are never taken over');
    t.same(await store.listPending('api1'), []);
  });

  t.test('a hand-over releases the lease at once; a record without a lease is takeable once no old version can run it', async (t) => {
    const store = await open(t);
    const records = recordFactory();
    const lease = { owner: 'a', expiresAt: new Date(BASE_TIME + 8_000).toISOString() };
    const change = { ...records.pending(), lease, deadlineAt: new Date(BASE_TIME + 600_000).toISOString() };
    const legacy = records.pending();
    await store.appendPending(change);
    await store.appendPending(legacy);
    const handedOver = { seq: 1, at: new Date(BASE_TIME).toISOString(), owner: 'a', kind: 'event', event: 'handed-over' } as const;
    await rejectsWithKind(t, store.releaseLease(change.id, 'b', [handedOver]), 'lease-lost', 'only the owner hands over');
    await store.releaseLease(change.id, 'a', [handedOver]);
    const now = new Date(BASE_TIME + 1);
    t.same((await store.listTakeable(now, 10)).map((ref) => ref.id), [change.id], 'well before its lease would have run out');
    t.notOk(await store.takeOver(legacy.id, { owner: 'b', expiresAt: new Date(BASE_TIME + 8_000).toISOString() }, now), 'an old version may still run it');
    const later = new Date(BASE_TIME + 16 * 60_000 + 1);
    t.same((await store.listTakeable(later, 10)).map((ref) => ref.id), [change.id, legacy.id], 'both, oldest first, after 16 minutes');
    t.same((await store.listTakeable(later, 1)).map((ref) => ref.id), [change.id], 'limited');
    t.same((await store.get(change.id))?.journal, [handedOver]);
    t.ok(await store.takeOver(legacy.id, { owner: 'b', expiresAt: new Date(later.getTime() + 8_000).toISOString() }, later));
    await rejectsWithKind(t, store.appendJournal(change.id, lease, []), 'lease-lost', 'a released change is nobody’s');
  });

  t.test('JSON fields round-trip exactly', async (t) => {
    const store = await open(t);
    const request = {
      headers: { 'idempotency-key': 'k', authorization: '[redacted]' },
      body: { routes: { $connect: { backend: { type: 'lambda', function: 'fn:live' } }, $disconnect: null } },
      unicode: 'añ ✓ 💥 "quotes" \\ back',
      numbers: [0, -1.5, 1e21, 9007199254740991],
      nested: [[], {}, [null, true, false]],
    };
    const plan = [
      { op: 'createIntegration', params: { integrationType: 'AWS_PROXY' }, compensation: { op: 'deleteIntegration' } },
    ];
    const before = { route: { routeId: 'r1', target: null } };
    const pending = recordFactory().pending({ request, plan, before });
    await store.appendPending(pending);

    const final: AuditFinal = {
      status: 'partial',
      integrationId: 'int9',
      after: { route: { routeId: 'r1', target: 'integrations/int9' }, list: [1, 'two', { three: 3 }] },
      awsCalls: [
        { service: 'apigatewayv2', operation: 'CreateIntegration', requestId: 'a', outcome: 'ok', httpStatus: 201, attempts: 1, durationMs: 10 },
        { service: 'lambda', operation: 'AddPermission', outcome: 'error', error: 'ResourceConflictException', attempts: 3, durationMs: 99 },
      ],
      error: { kind: 'upstream', message: 'AddPermission failed', aws: { error: 'ResourceConflictException', requestId: 'b' } },
      leftovers: ['integration int9 (delete failed)'],
      durationMs: 123,
    };
    await store.finalize(pending.id, final);

    const record = await store.get(pending.id);
    t.strictSame(record?.request, request, 'request');
    t.strictSame(record?.plan, plan, 'plan');
    t.strictSame(record?.before, before, 'before');
    t.strictSame(record?.after, final.after, 'after');
    t.strictSame(record?.awsCalls, final.awsCalls, 'awsCalls');
    t.strictSame(record?.error, final.error, 'error');
    t.strictSame(record?.leftovers, final.leftovers, 'leftovers');
    t.equal(record?.integrationId, 'int9');

    const listed = await store.list({ limit: 1 });
    t.strictSame(listed.items[0], record, 'list returns the same mapping as get');
  });

  t.test('null and undefined stay apart; times are stored in one canonical form', async (t) => {
    const store = await open(t);
    const pending = recordFactory().pending({
      occurredAt: '2025-03-01T13:00:00+01:00',
      request: undefined,
      before: null,
      routeKey: undefined,
    });
    await store.appendPending(pending);
    await store.finalize(pending.id, { status: 'succeeded', after: null, awsCalls: [], durationMs: 1.6 });
    const record = await store.get(pending.id);
    t.equal(record?.occurredAt, '2025-03-01T12:00:00.000Z', 'ISO UTC with milliseconds');
    t.equal(record?.request, undefined);
    t.equal(record?.before, null);
    t.equal(record?.after, null);
    t.equal(record?.durationMs, 2, 'durations are whole milliseconds');
    t.notOk(record !== undefined && 'routeKey' in record, 'absent optional fields stay absent');
  });

  t.test('ping answers while the store is up', async (t) => {
    const store = await open(t);
    await t.resolves(store.ping());
  });

  t.test('a failing store reports audit-unavailable', async (t) => {
    const store = await open(t);
    const records = recordFactory();
    const kept = records.pending();
    await store.appendPending(kept);
    await store.close();
    await t.resolves(store.close(), 'close twice is fine');
    await rejectsWithKind(t, store.ping(), 'audit-unavailable', 'ping');
    await rejectsWithKind(t, store.appendPending(records.pending()), 'audit-unavailable', 'appendPending');
    await rejectsWithKind(t, store.finalize(kept.id, succeeded), 'audit-unavailable', 'finalize');
    await rejectsWithKind(t, store.get(kept.id), 'audit-unavailable', 'get');
    await rejectsWithKind(t, store.list({ limit: 10 }), 'audit-unavailable', 'list');
    await rejectsWithKind(t, store.listTakeable(new Date(), 1), 'audit-unavailable', 'listTakeable');
    await rejectsWithKind(t, store.takeOver(kept.id, { owner: 'x', expiresAt: new Date().toISOString() }, new Date()), 'audit-unavailable', 'takeOver');
  });
}
