// Targets as data (issue 19): GATEWIRE_TARGETS or GATEWIRE_TARGETS_FILE list other accounts and
// regions; the account and region Gatewire runs with is always the `default` target.
import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.js';

const PROD_EU = { name: 'prod-eu', accountId: '210987654321', region: 'eu-west-1', roleArn: 'arn:aws:iam::210987654321:role/gatewire-target' };
const STAGING = { ...PROD_EU, name: 'staging', accountId: '333333333333', region: 'us-east-1', roleArn: 'arn:aws:iam::333333333333:role/gw', externalId: 'gatewire-42' };

t.test('without configuration there is one target: the default account and region', async (t) => {
  t.same(loadConfig({ AWS_REGION: 'eu-central-1', GATEWIRE_ACCOUNT_ID: '123456789012' }).targets, [
    { name: 'default', accountId: '123456789012', region: 'eu-central-1', roleArn: undefined, externalId: undefined, guardrailPolicies: undefined },
  ]);
  t.equal(loadConfig({}).targets[0]?.accountId, undefined, 'the account comes from STS later when not configured');
  t.equal(loadConfig({}).targetCheckTtlMs, 30_000);
});

t.test('targets inline or in a file follow the default one', async (t) => {
  const text = JSON.stringify([PROD_EU, STAGING]);
  const inline = loadConfig({ GATEWIRE_TARGETS: text }).targets;
  t.same(inline.map((target) => target.name), ['default', 'prod-eu', 'staging']);
  t.match(inline[2], { accountId: '333333333333', region: 'us-east-1', roleArn: STAGING.roleArn, externalId: 'gatewire-42' });
  const dir = t.testdir({ 'targets.json': text });
  t.same(loadConfig({ GATEWIRE_TARGETS_FILE: `${dir}/targets.json` }).targets, inline);
  t.throws(() => loadConfig({ GATEWIRE_TARGETS_FILE: `${dir}/missing.json` }), /GATEWIRE_TARGETS_FILE .*missing\.json cannot be read \(ENOENT\)/);
  t.throws(() => loadConfig({ GATEWIRE_TARGETS: text, GATEWIRE_TARGETS_FILE: `${dir}/targets.json` }), /set GATEWIRE_TARGETS or GATEWIRE_TARGETS_FILE, not both/);
});

t.test('a bad target list stops the start, naming each problem', async (t) => {
  const bad = (list: unknown) => t.throws(() => loadConfig({ GATEWIRE_TARGETS: JSON.stringify(list) })) as ConfigError;
  t.match(t.throws(() => loadConfig({ GATEWIRE_TARGETS: '[{' })), { name: 'ConfigError', message: /GATEWIRE_TARGETS is not JSON/ });
  t.match(bad([{ ...PROD_EU, name: 'Prod EU', region: 'mars' }]).message, /GATEWIRE_TARGETS is not a list of targets: .*\/0\/name.*\/0\/region/);
  t.match(bad([{ ...PROD_EU, color: 'blue' }]).message, /\/0/, 'unknown fields are refused');
  t.match(bad([{ ...PROD_EU, name: 'default' }]).message, /\/0\/name "default" is the account and region Gatewire runs with/);
  t.match(bad([PROD_EU, { ...STAGING, name: 'prod-eu' }]).message, /\/1\/name "prod-eu" is listed twice/);
  t.match(bad([PROD_EU, { ...PROD_EU, name: 'twin' }]).message, /\/1 account 210987654321 in eu-west-1 is already target "prod-eu"/);
  t.match(bad([{ ...PROD_EU, roleArn: 'arn:aws:iam::999999999999:role/x' }]).message, /\/0\/roleArn is not in account 210987654321/);
  t.match(bad([{ ...PROD_EU, roleArn: 'role/x-but-longer-than-twenty' }]).message, /\/0\/roleArn is not arn:aws:iam::accountId:role\/name/);
  t.match(
    t.throws(() => loadConfig({ GATEWIRE_ACCOUNT_ID: '210987654321', AWS_REGION: 'eu-west-1', GATEWIRE_TARGETS: JSON.stringify([PROD_EU]) })),
    { message: /\/0 account 210987654321 in eu-west-1 is already target "default"/ },
    "the default target's own account and region",
  );
  t.match(bad([{ ...PROD_EU, guardrailPolicies: ['team'] }]).message, /\/0\/guardrailPolicies names "team", which the guardrails do not define/);
});

t.test('a target may name guardrail policies the document defines', async (t) => {
  const guardrails = JSON.stringify({ policies: [{ name: 'team', rules: { vpcLinks: ['abc'] } }] });
  const config = loadConfig({ GATEWIRE_GUARDRAILS: guardrails, GATEWIRE_TARGETS: JSON.stringify([{ ...PROD_EU, guardrailPolicies: ['team'] }]) });
  t.same(config.targets[1]?.guardrailPolicies, ['team']);
});
