import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { lambdaInvocationUri } from '../../src/domain/lambda-reference.js';
import type { IntegrationFields } from '../../src/domain/model.js';
import {
  addPermissionCommand,
  classifyPermission,
  isApiSid,
  permissionInput,
  permissionNeedOf,
  planPermissionSteps,
  policyKey,
  policyTargets,
  resolveStageVariables,
  staleStatements,
  stagesHolding,
  stageVariableCommand,
  statementKey,
  statementSid,
  type StageDeployment,
  type FunctionPolicyState,
  type PermissionContext,
  type PermissionNeed,
  type StageVariablePermission,
} from '../../src/domain/permissions.js';
import { POLICY_SIZE_LIMIT, statementFor, type PolicyStatement } from '../../src/domain/policy-statements.js';

const ACCOUNT = '123456789012';
const OTHER = '210987654321';
const API_ID = 'abc123defg';
const REGION = 'us-east-1';
const FN_A = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn-a`;
const FN_B = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn-b`;
const API_CTX: PermissionContext = { apiId: API_ID, apiAccountId: ACCOUNT, apiRegion: REGION, scope: 'api' };
const SID_PATTERN = /^[a-zA-Z0-9_-]{1,100}$/;

function proxy(functionArn: string, extra: Partial<IntegrationFields> = {}): IntegrationFields {
  return { integrationType: 'AWS_PROXY', integrationUri: lambdaInvocationUri(REGION, functionArn), ...extra };
}

function need(functionArn: string, ctx: Partial<PermissionContext> = {}): PermissionNeed {
  const result = permissionNeedOf(proxy(functionArn), { ...API_CTX, ...ctx });
  if (result?.kind !== 'function') throw new Error('expected a function need');
  return result;
}

function policies(entries: Array<[string, PolicyStatement[] | undefined]>): Map<string, FunctionPolicyState | undefined> {
  return new Map(entries.map(([key, statements]) => [key, statements && { statements, revisionId: 'r1' }]));
}

function foreign(functionArn: string, sourceArn: string, sid = 'console-added'): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: 'apigateway.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Resource: functionArn,
    Condition: { ArnLike: { 'AWS:SourceArn': sourceArn } },
  };
}

t.test('statementSid: deterministic, prefixed, within Lambda pattern and length', async (t) => {
  const cases: Array<[Parameters<typeof statementSid>[0], string | RegExp]> = [
    [{ apiId: API_ID, scope: 'api' }, 'gatewire-abc123defg-api'],
    [{ apiId: API_ID, scope: 'api', qualifier: 'live' }, 'gatewire-abc123defg-api-live'],
    [{ apiId: API_ID, scope: 'api', qualifier: '7' }, 'gatewire-abc123defg-api-7'],
    [{ apiId: API_ID, scope: 'route', routeKey: 'sendmessage' }, 'gatewire-abc123defg-r-sendmessage'],
    [{ apiId: API_ID, scope: 'route', routeKey: 'sendmessage', qualifier: 'PROD' }, 'gatewire-abc123defg-r-sendmessage-PROD'],
    [{ apiId: API_ID, scope: 'route', routeKey: '$connect' }, /^gatewire-abc123defg-x-[0-9a-f]{20}$/],
    [{ apiId: API_ID, scope: 'route', routeKey: 'send message/*' }, /^gatewire-abc123defg-x-[0-9a-f]{20}$/],
    [{ apiId: API_ID, scope: 'route', routeKey: 'k'.repeat(300) }, /^gatewire-abc123defg-x-[0-9a-f]{20}$/],
    [{ apiId: API_ID, scope: 'route', routeKey: 'k'.repeat(40), qualifier: 'q'.repeat(128) }, /^gatewire-abc123defg-r-k{40}-q[0-9a-f]{16}$/],
    [{ apiId: 'odd id!', scope: 'api' }, /^gatewire-h[0-9a-f]{16}-api$/],
  ];
  for (const [input, expected] of cases) {
    const sid = statementSid(input);
    t.match(sid, expected, JSON.stringify(input));
    t.match(sid, SID_PATTERN, 'Lambda pattern and length');
    t.equal(statementSid({ ...input }), sid, 'deterministic');
  }
  t.not(statementSid({ apiId: API_ID, scope: 'route', routeKey: '$connect' }), statementSid({ apiId: API_ID, scope: 'route', routeKey: '$disconnect' }));
  t.not(statementSid({ apiId: API_ID, scope: 'route', routeKey: 'api' }), statementSid({ apiId: API_ID, scope: 'api' }));
  t.ok(isApiSid('gatewire-abc123defg-r-x', API_ID));
  t.notOk(isApiSid('gatewire-abc123defgh-api', API_ID), 'another API whose id starts the same');
  t.notOk(isApiSid('abc123defg-api', API_ID));
});

t.test('permissionNeedOf for each integration kind', async (t) => {
  const apiSource = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/*`;
  t.same(permissionNeedOf(proxy(FN_A), API_CTX), {
    kind: 'function',
    functionArn: FN_A,
    functionName: 'fn-a',
    accountId: ACCOUNT,
    region: REGION,
    apiId: API_ID,
    apiAccountId: ACCOUNT,
    sourceArn: apiSource,
    scope: 'api',
    sid: 'gatewire-abc123defg-api',
  }, 'proxy');
  const custom: IntegrationFields = { ...proxy(FN_A), integrationType: 'AWS', integrationMethod: 'POST' };
  t.match(permissionNeedOf(custom, API_CTX), { kind: 'function', functionArn: FN_A }, 'custom (AWS) Lambda');
  t.match(permissionNeedOf(proxy(`${FN_A}:live`), API_CTX), { functionArn: FN_A, qualifier: 'live', sid: 'gatewire-abc123defg-api-live' }, 'alias');
  t.match(permissionNeedOf(proxy(`${FN_A}:3`), API_CTX), { functionArn: FN_A, qualifier: '3', sid: 'gatewire-abc123defg-api-3' }, 'version');
  const latest = permissionNeedOf(proxy(`${FN_A}:$LATEST`), API_CTX);
  t.match(latest, { functionArn: FN_A, sid: 'gatewire-abc123defg-api' }, '$LATEST uses the unqualified policy');
  t.notOk(latest && 'qualifier' in latest);
  t.match(permissionNeedOf(proxy(FN_A), { ...API_CTX, scope: 'route', routeKey: 'sendmessage' }), {
    sourceArn: `${apiSource}/sendmessage`,
    scope: 'route',
    routeKey: 'sendmessage',
    sid: 'gatewire-abc123defg-r-sendmessage',
  }, 'route scope');
  t.throws(() => permissionNeedOf(proxy(FN_A), { ...API_CTX, scope: 'route' }), /route key/);
  t.equal(permissionNeedOf(proxy(FN_A, { credentialsArn: 'arn:aws:iam::*:user/*' }), API_CTX), undefined, 'caller credentials');
  t.equal(permissionNeedOf(proxy(FN_A, { credentialsArn: `arn:aws:iam::${ACCOUNT}:role/invoke` }), API_CTX), undefined, 'execution role');
  t.equal(permissionNeedOf({ integrationType: 'HTTP_PROXY', integrationUri: 'https://example.com' }, API_CTX), undefined, 'HTTP');
  t.equal(permissionNeedOf({ integrationType: 'MOCK' }, API_CTX), undefined, 'MOCK');
  t.equal(permissionNeedOf({ integrationType: 'AWS', integrationUri: `arn:aws:apigateway:${REGION}:sqs:path/${ACCOUNT}/q` }, API_CTX), undefined, 'AWS service, not Lambda');
  const other = permissionNeedOf(proxy(`arn:aws:lambda:eu-west-1:${OTHER}:function:remote`), API_CTX);
  t.match(other, { kind: 'function', accountId: OTHER, region: 'eu-west-1', apiAccountId: ACCOUNT, sourceArn: apiSource }, 'other account and region');
  const cn = permissionNeedOf(
    { integrationType: 'AWS_PROXY', integrationUri: lambdaInvocationUri('cn-north-1', `arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:f`) },
    { ...API_CTX, apiRegion: 'cn-north-1' },
  );
  t.match(cn, { sourceArn: `arn:aws-cn:execute-api:cn-north-1:${ACCOUNT}:${API_ID}/*` }, 'partition of the API region');

  const staged = permissionNeedOf(proxy(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:\${stageVariables.fn}:\${stageVariables.alias}`), API_CTX);
  t.match(staged, { kind: 'stage-variable', functionName: '${stageVariables.fn}', qualifier: '${stageVariables.alias}', stageVariables: ['fn', 'alias'] });
  const sv = staged as StageVariablePermission;
  t.match(resolveStageVariables(sv, { fn: 'orders', alias: 'prod' }), {
    kind: 'function',
    functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders`,
    functionName: 'orders',
    qualifier: 'prod',
    sid: 'gatewire-abc123defg-api-prod',
  });
  t.equal(resolveStageVariables(sv, { fn: 'orders' }), undefined, 'a variable not set on the stage');
  t.equal(resolveStageVariables(sv, { fn: 'bad name', alias: 'x' }), undefined);
  t.equal(
    stageVariableCommand(sv),
    `aws lambda add-permission --function-name 'arn:aws:lambda:${REGION}:${ACCOUNT}:function:<fn>' --statement-id '<statement-id>' ` +
      `--action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn '${apiSource}' --qualifier '<alias>' --region ${REGION}`,
  );
});

t.test('classifyPermission: ok, unmanaged, missing, unverifiable', async (t) => {
  const a = need(FN_A);
  const ours = statementFor(permissionInput(a));
  const cases: Array<[string, PolicyStatement[], PermissionNeed, boolean, string]> = [
    ['no policy', [], a, true, 'missing'],
    ['our statement', [ours], a, true, 'ok'],
    ['ours and a foreign one', [foreign(FN_A, '*'), ours], a, true, 'ok'],
    ['only a foreign one', [foreign(FN_A, `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/*`)], a, true, 'unmanaged'],
    ['foreign, narrower (one route)', [foreign(FN_A, `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/*/x`)], a, true, 'missing'],
    ['foreign covers one route of route scope', [foreign(FN_A, `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/*/*`)], need(FN_A, { scope: 'route', routeKey: 'x' }), true, 'unmanaged'],
    ['our statement on the alias, need unqualified', [{ ...ours, Resource: `${FN_A}:live` }], a, true, 'missing'],
    ['our statement of another API', [statementFor(permissionInput(need(FN_A, { apiId: 'zzzzzzzzzz' })))], a, true, 'missing'],
    ['gatewire-prefixed statement by hand that grants', [foreign(FN_A, '*', 'gatewire-handmade')], a, true, 'ok'],
    ['another account without a role', [ours], a, false, 'unverifiable'],
  ];
  for (const [name, statements, candidate, canManage, expected] of cases) {
    t.equal(classifyPermission(candidate, statements, { canManage }), expected, name);
  }
});

t.test('planning: 300 routes on one function, api scope -> one statement', async (t) => {
  const needs = Array.from({ length: 300 }, () => need(FN_A));
  const plan = planPermissionSteps({ apiId: API_ID, needsBefore: [], needsAfter: needs, policies: policies([[FN_A, undefined]]) });
  t.equal(plan.adds.length, 1);
  t.same(plan.adds[0], {
    id: 'add-permission-1',
    operation: 'AddPermission',
    description: `Allow API ${API_ID} to invoke ${FN_A} (arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/*)`,
    params: {
      functionName: FN_A,
      statementId: 'gatewire-abc123defg-api',
      action: 'lambda:InvokeFunction',
      principal: 'apigateway.amazonaws.com',
      sourceArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/*`,
    },
    compensation: { operation: 'RemovePermission', params: { functionName: FN_A, statementId: 'gatewire-abc123defg-api' } },
  });
  t.same(plan.removes, []);

  const existing = statementFor(permissionInput(needs[0]!));
  const again = planPermissionSteps({ apiId: API_ID, needsBefore: needs, needsAfter: needs, policies: policies([[FN_A, [existing]]]) });
  t.same([again.adds, again.removes], [[], []], 'nothing to do once it exists');
});

t.test('planning: route scope, the policy cap refuses before any write', async (t) => {
  const routes = (count: number) => Array.from({ length: count }, (_, i) => need(FN_A, { scope: 'route', routeKey: `route${i}` }));
  const fits = planPermissionSteps({ apiId: API_ID, needsBefore: [], needsAfter: routes(20), policies: policies([[FN_A, undefined]]) });
  t.equal(fits.adds.length, 20);
  const error = t.throws(() => planPermissionSteps({ apiId: API_ID, needsBefore: [], needsAfter: routes(300), policies: policies([[FN_A, undefined]]) })) as DomainError;
  t.ok(error instanceof DomainError);
  t.equal(error.kind, 'conflict');
  t.match(error.message, new RegExp(`Adding 300 permission statements to the policy of ${FN_A} would make it \\d+ bytes, over Lambda's limit of ${POLICY_SIZE_LIMIT} bytes`));
  t.match(error.message, /GATEWIRE_PERMISSION_SCOPE=api/);
  const size = Number(/make it (\d+) bytes/.exec(error.message)?.[1]);
  t.ok(size > POLICY_SIZE_LIMIT);
  // Existing statements count too.
  const filler = Array.from({ length: 80 }, (_, i) => foreign(FN_A, `arn:aws:execute-api:${REGION}:${ACCOUNT}:other${i}/*`, `other-${i}`));
  t.throws(
    () => planPermissionSteps({ apiId: API_ID, needsBefore: [], needsAfter: routes(30), policies: policies([[FN_A, filler]]) }),
    { name: 'DomainError', kind: 'conflict' },
  );
});

t.test('planning: retarget A -> B; A loses its statement only when no route targets it', async (t) => {
  const a = need(FN_A);
  const b = need(FN_B);
  const aStatement = statementFor(permissionInput(a));
  const state = policies([[FN_A, [aStatement]], [FN_B, undefined]]);

  const lastRoute = planPermissionSteps({ apiId: API_ID, needsBefore: [a], needsAfter: [b], policies: state });
  t.same(lastRoute.adds.map((step) => [step.operation, step.params.functionName]), [['AddPermission', FN_B]]);
  t.same(lastRoute.removes, [
    {
      id: 'remove-permission-1',
      operation: 'RemovePermission',
      description: `Remove Gatewire statement gatewire-abc123defg-api of API ${API_ID} from ${FN_A}`,
      params: { functionName: FN_A, statementId: 'gatewire-abc123defg-api' },
      compensation: { operation: 'AddPermission', params: permissionInput(a) },
    },
  ], 'the remove is undone by re-adding the same statement');

  const stillUsed = planPermissionSteps({ apiId: API_ID, needsBefore: [a, a], needsAfter: [a, b], policies: state });
  t.equal(stillUsed.adds.length, 1);
  t.same(stillUsed.removes, [], 'another route still targets A');

  // Route scope: the route statement goes, the other route's stays.
  const r1 = need(FN_A, { scope: 'route', routeKey: 'one' });
  const r2 = need(FN_A, { scope: 'route', routeKey: 'two' });
  const routeState = policies([[FN_A, [statementFor(permissionInput(r1)), statementFor(permissionInput(r2))]], [FN_B, undefined]]);
  const moved = planPermissionSteps({
    apiId: API_ID,
    needsBefore: [r1, r2],
    needsAfter: [r1, need(FN_B, { scope: 'route', routeKey: 'two' })],
    policies: routeState,
  });
  t.same(moved.removes.map((step) => step.params.statementId), [r2.sid]);
  t.same(moved.adds.map((step) => [step.params.functionName, step.params.statementId]), [[FN_B, 'gatewire-abc123defg-r-two']]);
});

t.test('stagesHolding: only stages without autoDeploy, deployed before the statement stopped being needed', async (t) => {
  const since = '2026-12-01T10:00:00.000Z';
  const stage = (stageName: string, createdDate?: string, autoDeploy = false): StageDeployment => ({
    stageName,
    autoDeploy,
    ...(createdDate ? { deployment: { deploymentId: `d-${stageName}`, createdDate } } : {}),
  });
  const cases: Array<[string, StageDeployment, { unusedSince?: string; deploying?: string; deployedWithRelease?: string[] }, boolean]> = [
    ['deployed before', stage('prod', '2026-12-01T09:59:59.999Z'), { unusedSince: since }, true],
    ['deployed at the same instant', stage('prod', since), { unusedSince: since }, false],
    ['deployed since', stage('prod', '2026-12-01T10:00:00.001Z'), { unusedSince: since }, false],
    ['autoDeploy', stage('live', '2026-11-01T00:00:00.000Z', true), { unusedSince: since }, false],
    ['never deployed', stage('new'), { unusedSince: since }, false],
    ['deployed by this change', stage('prod', '2026-11-01T00:00:00.000Z'), { unusedSince: since, deploying: 'prod' }, false],
    ['another stage deployed by this change', stage('beta', '2026-11-01T00:00:00.000Z'), { unusedSince: since, deploying: 'prod' }, true],
    ['on the deployment the releasing change made', stage('prod', '2026-12-01T09:59:59.000Z'), { unusedSince: since, deployedWithRelease: ['d-prod'] }, false],
    ['end of use unknown (changed outside Gatewire)', stage('prod', '2026-11-01T00:00:00.000Z'), {}, false],
  ];
  for (const [name, candidate, options, holds] of cases) {
    const held = stagesHolding(options.unusedSince, [candidate], options.deploying, options.deployedWithRelease);
    t.same(held, holds ? [{ stageName: candidate.stageName, deploymentId: candidate.deployment!.deploymentId, deployedAt: candidate.deployment!.createdDate }] : [], name);
  }
});

t.test('planning: a statement a deployed stage holds is kept, not removed', async (t) => {
  const a = need(FN_A);
  const b = need(FN_B);
  const state = policies([[FN_A, [statementFor(permissionInput(a))]], [FN_B, undefined]]);
  const prod: StageDeployment = { stageName: 'prod', autoDeploy: false, deployment: { deploymentId: 'd1', createdDate: '2026-12-01T09:00:00.000Z' } };
  const unusedSince = new Map([[statementKey(a), '2026-12-01T10:00:00.000Z']]);
  const kept = planPermissionSteps({ apiId: API_ID, needsBefore: [a], needsAfter: [b], policies: state, holds: { unusedSince, stages: [prod] } });
  t.same(kept.removes, []);
  t.match(kept.kept, [{ functionArn: FN_A, sid: a.sid, unusedSince: '2026-12-01T10:00:00.000Z', stages: [{ stageName: 'prod', deploymentId: 'd1' }] }]);
  t.equal(kept.adds.length, 1, 'B is still granted');
  const deploying = planPermissionSteps({
    apiId: API_ID,
    needsBefore: [a],
    needsAfter: [b],
    policies: state,
    holds: { unusedSince, stages: [prod], deploying: 'prod' },
  });
  t.same(deploying.removes.map((step) => step.params.functionName), [FN_A], 'the change deploys prod: A goes');
  t.same(deploying.kept, []);
});

t.test('planning: credentials, qualifiers, foreign and other-API statements', async (t) => {
  const a = need(FN_A);
  const live = need(`${FN_A}:live`);
  const aStatement = statementFor(permissionInput(a));

  // The integration now carries credentialsArn: no need after, our statement goes.
  const credentials = planPermissionSteps({ apiId: API_ID, needsBefore: [a], needsAfter: [], policies: policies([[FN_A, [aStatement]]]) });
  t.same(credentials.adds, []);
  t.same(credentials.removes.map((step) => step.params.statementId), [a.sid]);

  // Alias: the statement goes on the alias; the unqualified policy is untouched.
  const alias = planPermissionSteps({
    apiId: API_ID,
    needsBefore: [],
    needsAfter: [live],
    policies: policies([[policyKey(FN_A, 'live'), undefined], [FN_A, [aStatement]]]),
  });
  t.same(alias.adds.map((step) => step.params), [{ ...permissionInput(live), qualifier: 'live' }]);
  t.equal(alias.adds[0]!.params.functionName, FN_A);
  t.same(alias.removes.map((step) => [step.params.functionName, step.params.qualifier, step.params.statementId]), [[FN_A, undefined, a.sid]], 'the unqualified statement of this API is no longer needed');
  t.same(alias.adds[0]!.compensation, { operation: 'RemovePermission', params: { functionName: FN_A, qualifier: 'live', statementId: live.sid } });

  // A foreign grant: reported unmanaged, nothing added, never removed.
  const console = foreign(FN_A, `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/*`);
  // `…/*/*` does not cover `…/*` under glob semantics (a source ARN with one slash): not counted.
  t.equal(classifyPermission(a, [foreign(FN_A, `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/*/*`)]), 'missing');
  const unmanaged = planPermissionSteps({ apiId: API_ID, needsBefore: [], needsAfter: [a], policies: policies([[FN_A, [console]]]) });
  t.same([unmanaged.adds, unmanaged.removes], [[], []]);

  // Statements of another API (and foreign statements) are never removed.
  const otherApi = statementFor(permissionInput(need(FN_A, { apiId: 'zzzzzzzzzz' })));
  const cleanup = planPermissionSteps({ apiId: API_ID, needsBefore: [a], needsAfter: [], policies: policies([[FN_A, [otherApi, console, aStatement]]]) });
  t.same(cleanup.removes.map((step) => step.params.statementId), [a.sid]);

  // Our Sid holding a different statement (edited by hand): replaced, remove first.
  const tampered = { ...aStatement, Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:execute-api:us-east-1:1:nope/*' } } };
  const replace = planPermissionSteps({ apiId: API_ID, needsBefore: [a], needsAfter: [a], policies: policies([[FN_A, [tampered]]]) });
  t.same(replace.adds.map((step) => [step.id, step.operation]), [['replace-permission-1', 'RemovePermission'], ['add-permission-1', 'AddPermission']]);
  t.same(replace.removes, []);

  // Scope switch route -> api: the route statements are stale.
  const routeStatement = statementFor(permissionInput(need(FN_A, { scope: 'route', routeKey: 'x' })));
  const switched = planPermissionSteps({ apiId: API_ID, needsBefore: [a], needsAfter: [a], policies: policies([[FN_A, [routeStatement]]]) });
  t.same(switched.adds.map((step) => step.params.statementId), [a.sid]);
  t.same(switched.removes.map((step) => step.params.statementId), [routeStatement.Sid]);
  t.same(staleStatements(API_ID, [a], policies([[FN_A, [routeStatement, aStatement]]])).map((s) => s.sid), [routeStatement.Sid]);

  // Scope switch api -> route: the API-wide statement grants the route today but is about to go.
  const route = need(FN_A, { scope: 'route', routeKey: 'x' });
  const toRoute = planPermissionSteps({ apiId: API_ID, needsBefore: [a], needsAfter: [route], policies: policies([[FN_A, [aStatement]]]) });
  t.same(toRoute.adds.map((step) => step.params.statementId), [route.sid]);
  t.same(toRoute.removes.map((step) => step.params.statementId), [a.sid]);

  t.throws(() => planPermissionSteps({ apiId: API_ID, needsBefore: [a], needsAfter: [], policies: new Map() }), /was not read/);
  t.same(policyTargets([a, a, live]), [{ functionArn: FN_A, accountId: ACCOUNT }, { functionArn: FN_A, qualifier: 'live', accountId: ACCOUNT }]);
});

t.test('planning: other accounts and stage variables are reported, not granted', async (t) => {
  const remoteArn = `arn:aws:lambda:eu-west-1:${OTHER}:function:remote`;
  const remote = need(`${remoteArn}:live`);
  const staged = permissionNeedOf(proxy(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:\${stageVariables.fn}`), API_CTX)!;
  const plan = planPermissionSteps({
    apiId: API_ID,
    needsBefore: [],
    needsAfter: [remote, remote, staged],
    policies: new Map(),
    canManage: (account) => account === ACCOUNT,
  });
  t.same([plan.adds, plan.removes], [[], []]);
  t.same(plan.unverifiable, [
    {
      need: remote,
      command:
        `aws lambda add-permission --function-name ${remoteArn} --statement-id gatewire-abc123defg-api-live ` +
        `--action lambda:InvokeFunction --principal apigateway.amazonaws.com ` +
        `--source-arn 'arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/*' --qualifier live --region eu-west-1`,
    },
  ]);
  t.same(plan.manual, [staged]);
  t.equal(addPermissionCommand(need(FN_A, { scope: 'route', routeKey: "it's" })).includes(`'arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/*/it'\\''s'`), true, 'shell quoting');

  // With a role for the account it is planned like any other.
  const managed = planPermissionSteps({ apiId: API_ID, needsBefore: [], needsAfter: [remote], policies: policies([[policyKey(remoteArn, 'live'), undefined]]), canManage: () => true });
  t.equal(managed.adds.length, 1);
});
