// An instance killed with SIGKILL in the middle of a change (issue 14, DESIGN §3 "Recovery"): a
// Lambda route PUT makes three writes (AddPermission, CreateIntegration, CreateRoute); the write
// after #N is held by the fake (never run), the instance is killed, and whoever recovers must make
// the record final within 15 s, naming each step that ran, and put AWS back as it was.
import type { AuditRecord } from '../../src/domain/audit.js';
import type { AuditStore } from '../../src/services/ports.js';
import type { FakeAws } from './fake-aws/index.js';
import { routeIntegrationUrl, TEST_API_KEY } from './build-test-app.js';
import { until, type ServerProcess } from './server-process.js';
import type { TestContext } from './tap.js';

const WRITES = ['AddPermission', 'CreateIntegration', 'CreateRoute'] as const;
const STEPS = ['add-permission-1', 'create-integration', 'create-route'] as const;

/** The default lease (8 s) and sweep (2 s): the bound the issue names must hold with them. */
export const RECOVERY_BOUND_MS = 15_000;

export interface KillScenario {
  /** The instance that runs the change and is killed. */
  victim: ServerProcess;
  /**
   * After the kill: whatever must happen for recovery (nothing when another instance runs; a
   * restart on SQLite, which then returns when the new process listened: the bound runs from there).
   */
  afterKill(): Promise<number | undefined>;
  store: AuditStore;
}

export async function killAfterWrite(t: TestContext, fake: FakeAws, writesDone: 1 | 2, scenario: () => Promise<KillScenario>): Promise<void> {
  fake.seedFunction({ name: 'chat-handler' });
  const apiId = fake.seedApi({ name: `chat-${writesDone}` });
  const held = WRITES[writesDone]!;
  fake.inject({ operation: held, fault: 'timeout', latencyMs: 60_000, nth: 1 });
  const { victim, afterKill, store } = await scenario();
  const before = fake.snapshot();

  void fetch(`${victim.address}${routeIntegrationUrl(apiId, 'sendmessage')}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
    body: JSON.stringify({ backend: { type: 'lambda', function: 'chat-handler' } }),
  }).catch(() => undefined);
  await until(() => fake.calls.some((call) => call.operation === held), 20_000, `${held} to be sent`);
  t.ok(victim.child.kill('SIGKILL'), `SIGKILL after write #${writesDone}, while ${held} is in flight`);
  const killedAt = Date.now();
  await victim.exited;
  const recoveryFrom = (await afterKill()) ?? killedAt;

  let record: AuditRecord | undefined;
  const poll = async () => {
    const [latest] = (await store.list({ limit: 1, apiId })).items;
    record = latest ? await store.get(latest.id) : undefined;
  };
  for (const deadline = Date.now() + RECOVERY_BOUND_MS + 10_000; Date.now() < deadline; ) {
    await poll();
    if (record && record.status !== 'pending') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const tookMs = Date.now() - recoveryFrom;
  t.ok(record, 'the change has a record');
  t.not(record?.status, 'pending', 'the record is final');
  t.ok(tookMs <= RECOVERY_BOUND_MS, `final ${tookMs} ms after the kill${recoveryFrom === killedAt ? '' : ' and restart'} (at most ${RECOVERY_BOUND_MS})`);
  t.equal(record?.status, 'rolled_back', 'every step that ran was undone');

  const journal = record?.journal ?? [];
  const line = (entry: (typeof journal)[number]) => (entry.kind === 'event' ? `event:${entry.event}` : `${entry.kind}:${entry.stepId}:${entry.phase}`);
  const ran = STEPS.slice(0, writesDone);
  const inFlight = STEPS[writesDone]!;
  t.same(
    journal.map(line),
    [
      ...ran.flatMap((step) => [`do:${step}:started`, `do:${step}:succeeded`]),
      `do:${inFlight}:started`,
      'event:taken-over',
      // The call in flight at the kill: a create, looked up, and never made (the fake held it).
      ...(inFlight === 'create-route' || inFlight === 'create-integration' ? [`do:${inFlight}:absent`] : []),
      ...[...ran].reverse().flatMap((step) => [`undo:${step}:started`, `undo:${step}:succeeded`]),
    ],
    'the journal names each step that ran, and each undo',
  );
  t.not(journal.find((entry) => entry.kind === 'event')?.owner, journal[0]?.owner, 'taken over by another owner');
  t.same(fake.snapshot(), before, 'AWS is back to its prior state');
}
