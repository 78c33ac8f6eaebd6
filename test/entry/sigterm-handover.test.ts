// SIGTERM during a bulk apply (issue 14): the instance lets running changes finish for the drain
// period (0 here), then stops this one at a step boundary and hands it over; its caller gets 202
// with the change's location, and the other instance takes it over and finishes it.
import t from 'tap';
import { startFakeAws } from '../support/fake-aws/index.js';
import { TEST_API_KEY } from '../support/build-test-app.js';
import { createTestSchema } from '../support/postgres.js';
import { startServerProcess, until } from '../support/server-process.js';

const ROUTES = 20;

t.test('SIGTERM during a bulk apply: another instance takes the change over and finishes it', async (t) => {
  const fake = await startFakeAws();
  t.teardown(() => fake.close());
  const apiId = fake.seedApi({ name: 'chat' });
  const { url } = await createTestSchema(t, 'sigterm_handover');
  const [leaving, staying] = await Promise.all([
    startServerProcess(t, fake, { GATEWIRE_AUDIT_URL: url, GATEWIRE_SHUTDOWN_DRAIN_MS: '0' }),
    startServerProcess(t, fake, { GATEWIRE_AUDIT_URL: url }),
  ]);
  t.teardown(() => void staying.child.kill('SIGKILL'));
  for (const operation of ['CreateIntegration', 'CreateRoute']) fake.inject({ operation, fault: 'latency', latencyMs: 150 });

  const routes = Object.fromEntries(Array.from({ length: ROUTES }, (_, i) => [`route${i}`, { backend: { type: 'mock' } }]));
  const answer = fetch(`${leaving.address}/v1/apis/${apiId}/routes`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
    body: JSON.stringify({ routes }),
  });
  await until(() => fake.writes().length >= 6, 20_000, 'a few writes');
  t.ok(leaving.child.kill('SIGTERM'), 'SIGTERM while the bulk apply runs');

  const response = await answer;
  t.equal(response.status, 202, 'the caller is answered, not cut off');
  const location = response.headers.get('location')!;
  const accepted = (await response.json()) as { changeId: string };
  t.equal(location, `/v1/changes/${accepted.changeId}`);
  const { code } = await leaving.exited;
  t.equal(code, 0, `the instance exits cleanly: ${leaving.stderr()}`);
  t.ok(leaving.logs.some((line) => line['msg'] === 'handing the changes still running over to another instance'));

  let change: { status: string; result?: { status: number; body: { routes: Record<string, { outcome: string; integrationId: string }> } }; steps: { kind: string; event?: string; owner: string }[] } | undefined;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const polled = await fetch(`${staying.address}${location}`, { headers: { 'x-api-key': TEST_API_KEY } });
    change = (await polled.json()) as typeof change;
    if (change?.status !== 'pending') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  t.equal(change?.status, 'succeeded', 'finished by the other instance');
  const events = change?.steps.filter((entry) => entry.kind === 'event').map((entry) => entry.event);
  t.same(events, ['handed-over', 'taken-over']);
  t.not(change?.steps.at(-1)?.owner, change?.steps[0]?.owner, 'the last steps were written by the other instance');
  t.equal(change?.result?.status, 200);
  const outcomes = Object.values(change?.result?.body.routes ?? {});
  t.equal(outcomes.length, ROUTES);
  t.ok(outcomes.every((route) => route.outcome === 'created'), 'every route created');
  const view = fake.api(apiId);
  t.equal(view.routes.length, ROUTES);
  t.equal(view.integrations.length, ROUTES, 'no write made twice');
  t.equal(fake.writes().length, ROUTES * 2);
  for (const [routeKey, route] of Object.entries(change?.result?.body.routes ?? {})) {
    t.equal(view.route(routeKey)?.target, `integrations/${route.integrationId}`);
  }
});
