// Targets by name (src/services/target-registry.ts): unknown names, unreachable roles, services
// built once, and reachability reused for its TTL.
import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { targetsOf } from '../../src/domain/targets.js';
import { createTargetRegistry } from '../../src/services/target-registry.js';
import type { TargetServices } from '../../src/target-services.js';

const TARGETS = targetsOf(
  [{ name: 'prod-eu', accountId: '210987654321', region: 'eu-west-1', roleArn: 'arn:aws:iam::210987654321:role/gw' }],
  { accountId: undefined, region: 'us-east-1' },
);

function setUp() {
  const clock = { now: 0 };
  const built: string[] = [];
  const identities: string[] = [];
  let denied = false;
  const home = { name: 'home' } as unknown as TargetServices;
  const registry = createTargetRegistry({
    targets: TARGETS,
    defaultServices: home,
    servicesFor: (target) => {
      built.push(target.name);
      return { name: target.name } as unknown as TargetServices;
    },
    credentialsFor: () => async () => {
      if (denied) throw new DomainError('upstream', 'AWS refused', { aws: { error: 'AccessDenied' } });
      return {};
    },
    identityOf: async (target) => {
      identities.push(target.name);
      if (target.roleArn && denied) throw new DomainError('upstream', 'AWS refused', { aws: { error: 'AccessDenied' } });
      return target.accountId ?? '123456789012';
    },
    checkTtlMs: 30_000,
    now: () => clock.now,
  });
  return { clock, built, identities, home, registry, deny: (value: boolean) => (denied = value) };
}

t.test('resolve: default, a configured target (built once), an unknown one, an unreachable one', async (t) => {
  const { registry, built, home, deny } = setUp();
  t.equal(await registry.resolve('default'), home);
  const prod = await registry.resolve('prod-eu');
  t.equal(await registry.resolve('prod-eu'), prod);
  t.same(built, ['prod-eu'], 'built on first use, once');
  await t.rejects(registry.resolve('nowhere'), { kind: 'not-found', message: /No target is named "nowhere"/ });
  deny(true);
  await t.rejects(registry.resolve('prod-eu'), {
    kind: 'upstream',
    message: 'Target "prod-eu" (account 210987654321, eu-west-1) is unreachable: Gatewire could not assume its role (AccessDenied); nothing was changed',
    aws: { error: 'AccessDenied' },
  });
});

t.test('list: the default account from STS; reachability reused for the TTL, then checked again', async (t) => {
  const { registry, clock, identities, deny } = setUp();
  t.match(await registry.list(), [
    { name: 'default', accountId: '123456789012', region: 'us-east-1', default: true, reachable: true },
    { name: 'prod-eu', accountId: '210987654321', reachable: true },
  ]);
  deny(true);
  clock.now += 29_000;
  t.match((await registry.list())[1], { reachable: true }, 'within the TTL: the earlier answer');
  t.equal(identities.length, 2);
  clock.now += 2_000;
  t.match((await registry.list())[1], { reachable: false, problem: /could not assume its role \(AccessDenied\)/ });
  t.equal(identities.length, 4, 'both checked again');
});
