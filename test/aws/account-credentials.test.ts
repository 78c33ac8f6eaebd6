import t from 'tap';
import { createAssumeRoleCredentialProvider } from '../../src/aws/account-credentials.js';
import type { AssumeRoleInput, TemporaryCredentials } from '../../src/aws/sts.js';
import { loadConfig, parseCrossAccountRoles } from '../../src/config.js';

const ROLE = 'arn:aws:iam::210987654321:role/gatewire';
const HOUR = 3_600_000;

function fakeSts(clock: { now: number }) {
  const calls: AssumeRoleInput[] = [];
  let failNext = false;
  return {
    calls,
    failOnce() {
      failNext = true;
    },
    async assumeRole(input: AssumeRoleInput): Promise<TemporaryCredentials> {
      calls.push(input);
      await new Promise((resolve) => setImmediate(resolve));
      if (failNext) {
        failNext = false;
        throw new Error('AccessDenied');
      }
      return { accessKeyId: `ASIA${calls.length}`, secretAccessKey: 's', sessionToken: 't', expiration: new Date(clock.now + HOUR) };
    },
  };
}

t.test('assumes once, caches, refreshes 5 minutes before expiry', async (t) => {
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  const sts = fakeSts(clock);
  const provider = createAssumeRoleCredentialProvider({ roleArn: ROLE, sts, now: () => clock.now });
  const [a, b] = await Promise.all([provider(), provider()]);
  t.equal(sts.calls.length, 1, 'concurrent callers share one AssumeRole');
  t.same(sts.calls[0], { roleArn: ROLE, sessionName: 'gatewire' });
  t.equal(a.accessKeyId, 'ASIA1');
  t.equal(b, a);
  t.match(a, { secretAccessKey: 's', sessionToken: 't', expiration: new Date(clock.now + HOUR) });

  clock.now += HOUR - 6 * 60_000;
  t.equal((await provider()).accessKeyId, 'ASIA1', 'still fresh 6 minutes before expiry');
  clock.now += 2 * 60_000;
  t.equal((await provider()).accessKeyId, 'ASIA2', 'refreshed 4 minutes before expiry');
  t.equal(sts.calls.length, 2);
});

t.test('a failed AssumeRole is not cached', async (t) => {
  const clock = { now: 0 };
  const sts = fakeSts(clock);
  const provider = createAssumeRoleCredentialProvider({ roleArn: ROLE, sts, now: () => clock.now, sessionName: 'custom', durationSeconds: 900 });
  sts.failOnce();
  await t.rejects(provider(), /AccessDenied/);
  t.equal((await provider()).accessKeyId, 'ASIA2');
  t.same(sts.calls[1], { roleArn: ROLE, sessionName: 'custom', durationSeconds: 900 });
});

t.test('GATEWIRE_ACCOUNT_ID and GATEWIRE_CROSS_ACCOUNT_ROLES', async (t) => {
  const config = loadConfig({ GATEWIRE_ACCOUNT_ID: '123456789012', GATEWIRE_CROSS_ACCOUNT_ROLES: ` 210987654321=${ROLE}, ` });
  t.equal(config.accountId, '123456789012');
  t.same(config.crossAccountRoles, { '210987654321': ROLE });
  t.same(loadConfig({}).crossAccountRoles, {});
  t.equal(loadConfig({}).accountId, undefined);
  t.throws(() => loadConfig({ GATEWIRE_ACCOUNT_ID: '12' }), /GATEWIRE_ACCOUNT_ID/);
  t.throws(() => loadConfig({ GATEWIRE_CROSS_ACCOUNT_ROLES: 'nope' }), /GATEWIRE_CROSS_ACCOUNT_ROLES "nope" is not accountId=/);
  t.throws(() => parseCrossAccountRoles(`111111111111=${ROLE}`), /not in account 111111111111/);
  t.throws(() => parseCrossAccountRoles(`210987654321=${ROLE},210987654321=${ROLE}x`), /listed twice/);
  t.same(parseCrossAccountRoles('210987654321=arn:aws:iam::210987654321:role/path/to/role-1'), { '210987654321': 'arn:aws:iam::210987654321:role/path/to/role-1' });
});
