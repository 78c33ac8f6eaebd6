// `--target` (issue 19): the commands that address an API act on it in the named target, through
// the /v1/targets/{target}/apis/… paths; without it, the paths of before targets (`default`).
import t from 'tap';
import { UpdateIntegrationCommand } from '@aws-sdk/client-apigatewayv2';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';
import { stsClientFor } from '../support/fake-aws/sts-clients.js';
import { routeMapFolder, runGatewire, startListeningGatewire } from '../support/cli.js';

const B = '210987654321';
const TARGETS = [{ name: 'prod-b', accountId: B, region: 'eu-west-1', roleArn: `arn:aws:iam::${B}:role/gatewire-target` }];

t.test('plan, apply, get, drift and audit with --target act on the API in that target', async (t) => {
  const ctx = await startListeningGatewire(t, { env: { GATEWIRE_TARGETS: JSON.stringify(TARGETS) } });
  const bScope = ctx.fake.in({ accountId: B, region: 'eu-west-1' });
  const bApi = bScope.seedApi({ name: 'b-chat' });
  const files = await routeMapFolder(t);
  await files.write('routes.json', { routes: { ping: { backend: { type: 'mock' }, timeoutInMillis: 1000 } } });
  const gatewire = (argv: string[]) => runGatewire(argv, { env: ctx.env, cwd: files.dir });

  const plan = await gatewire(['plan', 'routes.json', '--api', bApi, '--target', 'prod-b']);
  t.equal(plan.code, 0, plan.stderr);
  t.match(plan.stdout, new RegExp(`^Gatewire will change API ${bApi} in target prod-b as follows`));
  t.same(bScope.api(bApi).routes, [], 'a plan changes nothing');

  const apply = await gatewire(['apply', 'routes.json', '--api', bApi, '--target', 'prod-b', '--poll-ms', '100']);
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stdout, new RegExp(`^Applied to API ${bApi} in target prod-b: `));
  t.equal(bScope.api(bApi).route('ping')?.routeKey, 'ping', 'the route is in account B, eu-west-1');
  t.same(ctx.fake.api(ctx.apiId).routes, [], 'not in the default API');
  t.same([...new Set(ctx.fake.writes().map((call) => `${call.accountId}/${call.region}`))], [`${B}/eu-west-1`], 'every write in the target');

  const get = await gatewire(['get', bApi, 'ping', '--target', 'prod-b']);
  t.equal(get.code, 0, get.stderr);
  t.match(get.stdout, /^ {4}timeoutInMillis: 1000$/m);
  t.match(get.stdout, new RegExp(`^Route ping on API ${bApi} in target prod-b \\(route `), 'the text names the target');

  const clean = await gatewire(['drift', '--api', bApi, '--target', 'prod-b']);
  t.equal(clean.code, 0, clean.stderr);
  t.equal(clean.stdout, `API ${bApi} in target prod-b: no drift.\n`);
  // Behind Gatewire's back, in account B.
  const integrationId = bScope.api(bApi).route('ping')!.target!.replace('integrations/', '');
  const sts = stsClientFor(ctx.fake);
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: TARGETS[0]!.roleArn, RoleSessionName: 'someone-else' }));
  sts.destroy();
  const credentials = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
  const client = apiGatewayClientFor(ctx.fake, { credentials, region: 'eu-west-1' });
  await client.send(new UpdateIntegrationCommand({ ApiId: bApi, IntegrationId: integrationId, TimeoutInMillis: 2000 }));
  client.destroy();
  const drifted = await gatewire(['drift', '--api', bApi, '--target', 'prod-b']);
  t.match(drifted.stdout, new RegExp(`^ {2}~ integration ${integrationId}: integration-changed timeoutInMillis: applied 1000, live 2000`, 'm'));
  t.match(drifted.stdout, new RegExp(`^API ${bApi} in target prod-b has drifted`));

  const audit = await gatewire(['audit', '--target', 'prod-b']);
  t.equal(audit.code, 0, audit.stderr);
  t.match(audit.stdout, new RegExp(`succeeded +routes\\.bulk-put +api ${bApi}`));
  t.equal((await gatewire(['audit', '--target', 'default'])).stdout, 'No audit records.\n', 'none in the default target');

  const withoutTarget = await gatewire(['get', bApi, 'ping']);
  t.equal(withoutTarget.code, 1, 'without --target: the default target, where that API is not');
  t.match(withoutTarget.stderr, /^Error: 404 /);
  const unknown = await gatewire(['drift', '--api', bApi, '--target', 'nowhere']);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /No target is named "nowhere"/);
});
