// The guardrail policies as data: which policy applies to whom, IAM-style patterns, and the session
// policy an assumed role gets.
import t from 'tap';
import {
  checkIntegration,
  DEFAULT_POLICY_NAME,
  globMatch,
  selectPolicy,
  sessionPolicyFor,
  type GuardrailDocument,
} from '../../src/domain/guardrails.js';

const document: GuardrailDocument = {
  policies: [
    { name: 'ci', callers: [{ apiKey: 'ci' }], apis: ['abc*'], rules: { integrationTypes: ['MOCK'] } },
    { name: 'team', callers: [{ jwtScope: 'team:chat' }], rules: { functionAccounts: ['self', '210987654321'], functionArns: ['arn:aws:lambda:*:*:function:chat-*'] } },
    { name: 'deployer', callers: [{ iamPrincipal: 'arn:aws:iam::123456789012:role/deploy-*' }], rules: { executionRoles: ['*'] } },
  ],
};

t.test('the first policy naming the caller and the API applies; else the default', async (t) => {
  t.equal(selectPolicy(document, { actor: { id: 'ci', kind: 'api-key' } }, 'abc123').name, 'ci');
  t.equal(selectPolicy(document, { actor: { id: 'ci', kind: 'api-key' } }, 'zzz').name, DEFAULT_POLICY_NAME, 'another API');
  t.equal(selectPolicy(document, { actor: { id: 'ci', kind: 'jwt' } }, 'abc123').name, DEFAULT_POLICY_NAME, 'a JWT subject named like the key');
  t.equal(selectPolicy(document, { actor: { id: 'alice', kind: 'jwt' }, tokenScopes: ['write', 'team:chat'] }, 'x').name, 'team');
  t.equal(selectPolicy(document, { actor: { id: 'alice', kind: 'jwt' }, tokenScopes: ['write'] }, 'x').name, DEFAULT_POLICY_NAME);
  t.equal(selectPolicy(document, { actor: { id: 'arn:aws:iam::123456789012:role/deploy-prod', kind: 'iam' } }, 'x').name, 'deployer');
  t.equal(selectPolicy(document, { actor: { id: 'arn:aws:iam::123456789012:role/other', kind: 'iam' } }, 'x').name, DEFAULT_POLICY_NAME);
});

t.test('patterns match as in IAM: * any run, ? one character, the rest literal', async (t) => {
  t.ok(globMatch('arn:aws:lambda:*:*:function:chat-*', 'arn:aws:lambda:us-east-1:123456789012:function:chat-send:live'));
  t.notOk(globMatch('arn:aws:lambda:*:*:function:chat-*', 'arn:aws:lambda:us-east-1:123456789012:function:admin'));
  t.ok(globMatch('vl?', 'vl1'));
  t.notOk(globMatch('vl?', 'vl12'));
  t.notOk(globMatch('a.b', 'axb'), 'a dot is a dot');
});

t.test('each rule reports its own violation; the defaults apply to rules a policy leaves out', async (t) => {
  const team = document.policies[1]!;
  const context = { ownAccount: '123456789012', permissionScope: 'api' as const, pathOf: (field: string) => `/${field}` };
  const uri = (arn: string) => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${arn}/invocations`;
  t.same(checkIntegration(team, { integrationType: 'AWS_PROXY', integrationUri: uri('arn:aws:lambda:us-east-1:210987654321:function:chat-x') }, context), []);
  t.match(checkIntegration(team, { integrationType: 'AWS_PROXY', integrationUri: uri('arn:aws:lambda:us-east-1:999999999999:function:chat-x') }, context), [
    { rule: 'functionAccounts', path: '/integrationUri', policy: 'team' },
  ]);
  t.match(
    checkIntegration(team, { integrationType: 'HTTP_PROXY', integrationUri: 'https://x.example.com', connectionType: 'VPC_LINK', connectionId: 'abc', credentialsArn: 'arn:aws:iam::1:role/r' }, context),
    [{ rule: 'executionRoles' }, { rule: 'vpcLinks' }],
    'no roles and no VPC links unless listed',
  );
  t.same(checkIntegration(team, { integrationType: 'AWS_PROXY', credentialsArn: 'arn:aws:iam::*:user/*' }, context), [], "the caller's own credentials are no role");
});

t.test('the session policy of a role in another account lists the functions allowed there', async (t) => {
  const policy = JSON.parse(sessionPolicyFor(document, '210987654321', '123456789012'));
  t.same(policy.Statement, [
    {
      Effect: 'Allow',
      Action: ['lambda:AddPermission', 'lambda:RemovePermission', 'lambda:GetPolicy'],
      Resource: ['arn:aws:lambda:*:210987654321:function:chat-*'],
    },
  ]);
  const none = JSON.parse(sessionPolicyFor(document, '555555555555', '123456789012'));
  t.same(none.Statement, [{ Effect: 'Allow', Action: ['lambda:GetPolicy'], Resource: ['arn:*:lambda:*:555555555555:function:*'] }], 'no function allowed: reads only');
  const exact = JSON.parse(
    sessionPolicyFor({ policies: [{ name: 'p', rules: { functionAccounts: ['*'], functionArns: ['arn:aws:lambda:us-east-1:*:function:billing'] } }] }, '210987654321', undefined),
  );
  t.same(exact.Statement[0].Resource, ['arn:aws:lambda:us-east-1:210987654321:function:billing', 'arn:aws:lambda:us-east-1:210987654321:function:billing:*'], 'with its qualified forms');
});

t.test('HTTP hosts: port and user info are not part of the host; a stage variable stays literal', async (t) => {
  const policy = { name: 'hosts', rules: { httpHosts: ['*.example.com'] } };
  const context = { ownAccount: '123456789012', permissionScope: 'api' as const, pathOf: (field: string) => `/${field}` };
  const check = (uri: string) => checkIntegration(policy, { integrationType: 'HTTP_PROXY', integrationUri: uri }, context).map((v) => v.rule);
  t.same(check('https://a.example.com:8443/x'), []);
  t.same(check('https://A.Example.com/x'), [], 'case-insensitive');
  t.same(check('https://a.example.com@evil.test/x'), ['httpHosts'], 'user info does not fool it');
  t.same(check('https://evil.test/a.example.com'), ['httpHosts']);
  t.same(check('https://${stageVariables.host}/x'), ['httpHosts'], 'a stage variable host needs a pattern that allows it');
  t.same(checkIntegration({ name: 'any', rules: {} }, { integrationType: 'HTTP', integrationUri: 'https://${stageVariables.host}/x' }, context), [], 'the default allows any host');
});
