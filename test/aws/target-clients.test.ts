// A target's credentials and clients (src/aws/target-clients.ts): its role assumed with its
// external id and a session name naming the target, cached, refreshed before expiry; clients built
// once per target, in its region.
import t from 'tap';
import { createAwsCallLog } from '../../src/aws/call-log.js';
import { createTargetClients } from '../../src/aws/target-clients.js';
import type { AssumeRoleInput, TemporaryCredentials } from '../../src/aws/sts.js';
import type { Target } from '../../src/domain/targets.js';

const HOUR = 3_600_000;
const TARGET: Target & { roleArn: string } = {
  name: 'prod-eu',
  accountId: '210987654321',
  region: 'eu-west-1',
  roleArn: 'arn:aws:iam::210987654321:role/gatewire-target',
  externalId: 'gatewire-prod',
  guardrailPolicies: undefined,
};

function setUp(t: { teardown(fn: () => void): void }) {
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  const calls: AssumeRoleInput[] = [];
  const sts = {
    async assumeRole(input: AssumeRoleInput): Promise<TemporaryCredentials> {
      calls.push(input);
      return { accessKeyId: `ASIA${calls.length}`, secretAccessKey: 's', sessionToken: 't', expiration: new Date(clock.now + HOUR) };
    },
  };
  const clients = createTargetClients({
    base: { maxAttempts: 1, connectionTimeoutMs: 1000, requestTimeoutMs: 1000, callLog: createAwsCallLog() },
    sts,
    now: () => clock.now,
  });
  t.teardown(() => clients.destroy());
  return { clock, calls, clients };
}

t.test("a target's role is assumed with its external id, cached, and refreshed before expiry", async (t) => {
  const { clock, calls, clients } = setUp(t);
  const provider = clients.credentialsFor(TARGET);
  t.equal(clients.credentialsFor(TARGET), provider, 'one provider per target');
  t.equal((await provider()).accessKeyId, 'ASIA1');
  t.same(calls, [{ roleArn: TARGET.roleArn, sessionName: 'gatewire-prod-eu', externalId: 'gatewire-prod' }]);
  clock.now += HOUR - 6 * 60_000;
  t.equal((await provider()).accessKeyId, 'ASIA1', 'still fresh 6 minutes before expiry');
  clock.now += 2 * 60_000;
  t.equal((await provider()).accessKeyId, 'ASIA2', 'refreshed within 5 minutes of expiry');
  t.equal(calls.length, 2);
});

t.test("a target's clients are built once, in its region, signing with its role", async (t) => {
  const { calls, clients } = setUp(t);
  const built = clients.clientsFor(TARGET);
  t.equal(clients.clientsFor(TARGET), built, 'built once');
  t.equal(calls.length, 0, 'nothing assumed until a call needs credentials');
  t.equal(await built.apiGateway.config.region(), 'eu-west-1');
  t.equal(await (await built.lambda.use()).config.region(), 'eu-west-1');
  const identity = await built.apiGateway.config.credentials();
  t.equal(identity.accessKeyId, 'ASIA1', "the clients sign with the role's credentials");
  t.same(calls.map((call) => call.roleArn), [TARGET.roleArn]);
});
