import t from 'tap';
import {
  globCovers,
  isSameStatement,
  parsePolicy,
  permissionInputOf,
  policySizeBytes,
  statementFor,
  statementGrants,
  type PermissionStatementInput,
  type PolicyStatement,
} from '../../src/domain/policy-statements.js';

const ACCOUNT = '123456789012';
const FN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:chat`;
const API = `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123defg`;

function statement(overrides: Partial<PolicyStatement> = {}): PolicyStatement {
  return {
    Sid: 'gatewire-abc123defg-api',
    Effect: 'Allow',
    Principal: { Service: 'apigateway.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Resource: FN,
    Condition: { ArnLike: { 'AWS:SourceArn': `${API}/*` } },
    ...overrides,
  };
}

t.test('globCovers: * spans any run (also /), ? one character; inclusion, not just matching', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['a*', 'a/b/c', true],
    ['*', '', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    [`${API}/*`, `${API}/*`, true],
    [`${API}/*`, `${API}/*/sendmessage`, true],
    [`${API}/*/sendmessage`, `${API}/*`, false],
    [`${API}/*/sendmessage`, `${API}/*/sendmessage`, true],
    [`${API}/*/send*`, `${API}/*/sendmessage`, true],
    [`${API}/prod/*`, `${API}/*`, false],
    [`${API}/?`, `${API}/*`, false],
    [`${API}/*`, `${API}/?`, true],
    ['*', '*', true],
    ['a*b*c', 'a*c', false],
    ['a*c', 'a*b*c', true],
  ];
  for (const [outer, inner, expected] of cases) t.equal(globCovers(outer, inner), expected, `${outer} ⊇ ${inner}`);
});

t.test('statementGrants: effect, principal, action, resource and SourceArn conditions', async (t) => {
  const request = { resourceArn: FN, sourceArn: `${API}/*`, sourceAccount: ACCOUNT };
  const routeRequest = { ...request, sourceArn: `${API}/*/sendmessage` };
  const cases: Array<[string, PolicyStatement, typeof request, boolean]> = [
    ['Gatewire api-scope statement', statement(), request, true],
    ['api scope covers one route', statement(), routeRequest, true],
    ['route statement does not cover the whole API', statement({ Condition: { ArnLike: { 'AWS:SourceArn': `${API}/*/sendmessage` } } }), request, false],
    ['route statement covers its route', statement({ Condition: { ArnLike: { 'AWS:SourceArn': `${API}/*/sendmessage` } } }), routeRequest, true],
    ['Deny', statement({ Effect: 'Deny' }), request, false],
    ['other service', statement({ Principal: { Service: 's3.amazonaws.com' } }), request, false],
    ['service list', statement({ Principal: { Service: ['s3.amazonaws.com', 'apigateway.amazonaws.com'] } }), request, true],
    ['public principal', statement({ Principal: '*' }), request, true],
    ['AWS principal', statement({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }), request, false],
    ['lambda:*', statement({ Action: 'lambda:*' }), request, true],
    ['*', statement({ Action: '*' }), request, true],
    ['action list', statement({ Action: ['lambda:GetFunction', 'lambda:InvokeFunction'] }), request, true],
    ['action case-insensitive', statement({ Action: 'Lambda:invokefunction' }), request, true],
    ['other action', statement({ Action: 'lambda:GetFunction' }), request, false],
    ['qualified resource, unqualified need', statement({ Resource: `${FN}:live` }), request, false],
    ['unqualified resource, qualified need', statement(), { ...request, resourceArn: `${FN}:live` }, false],
    ['qualified both', statement({ Resource: `${FN}:live` }), { ...request, resourceArn: `${FN}:live` }, true],
    ['no condition', statement({ Condition: undefined }), request, true],
    ['StringLike', statement({ Condition: { StringLike: { 'aws:SourceArn': `${API}/*` } } }), request, true],
    ['ArnEquals wildcard', statement({ Condition: { ArnEquals: { 'AWS:SourceArn': `${API}/*` } } }), request, true],
    ['StringEquals is literal: never covers a pattern', statement({ Condition: { StringEquals: { 'AWS:SourceArn': `${API}/*` } } }), request, false],
    ['other API', statement({ Condition: { ArnLike: { 'AWS:SourceArn': `${API.replace('abc123defg', 'zzz')}/*` } } }), request, false],
    ['any API in the account', statement({ Condition: { ArnLike: { 'AWS:SourceArn': `arn:aws:execute-api:*:${ACCOUNT}:*` } } }), request, true],
    ['SourceArn alternatives', statement({ Condition: { ArnLike: { 'AWS:SourceArn': ['arn:aws:execute-api:us-east-1:1:x/*', `${API}/*`] } } }), request, true],
    ['SourceAccount matches', statement({ Condition: { StringEquals: { 'AWS:SourceAccount': ACCOUNT }, ArnLike: { 'AWS:SourceArn': `${API}/*` } } }), request, true],
    ['SourceAccount differs', statement({ Condition: { StringEquals: { 'AWS:SourceAccount': '999999999999' } } }), request, false],
    ['unknown condition key', statement({ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } } }), request, false],
    ['unknown operator', statement({ Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01' } } }), request, false],
    ['NotAction', statement({ NotAction: 'lambda:GetFunction' }), request, false],
  ];
  for (const [name, candidate, req, expected] of cases) t.equal(statementGrants(candidate, req), expected, name);
});

t.test('parsePolicy reads GetPolicy strings', async (t) => {
  t.same(parsePolicy(JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: [statement()] })), [statement()]);
  t.same(parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statement() })), [statement()], 'a single statement object');
  t.same(parsePolicy('{"Version":"2012-10-17"}'), []);
  t.throws(() => parsePolicy('[]'));
  t.throws(() => parsePolicy('{"Statement":[1]}'));
  t.throws(() => parsePolicy('nope'));
});

t.test('statementFor / isSameStatement / permissionInputOf round-trip', async (t) => {
  const input: PermissionStatementInput = {
    functionName: FN,
    qualifier: 'live',
    statementId: 'gatewire-abc123defg-api-live',
    action: 'lambda:InvokeFunction',
    principal: 'apigateway.amazonaws.com',
    sourceArn: `${API}/*`,
  };
  const stored = statementFor(input);
  t.same(stored, {
    Sid: input.statementId,
    Effect: 'Allow',
    Principal: { Service: 'apigateway.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Resource: `${FN}:live`,
    Condition: { ArnLike: { 'AWS:SourceArn': `${API}/*` } },
  });
  t.ok(isSameStatement(stored, input));
  t.ok(isSameStatement({ ...stored, Condition: { ArnLike: { 'aws:sourcearn': [`${API}/*`] } } }, input), 'key case and single-item lists');
  t.notOk(isSameStatement({ ...stored, Condition: { ArnLike: { 'AWS:SourceArn': `${API}/*/x` } } }, input));
  t.notOk(isSameStatement({ ...stored, Resource: FN }, input));
  t.same(permissionInputOf(stored), input);
  const withAccount = statementFor({ ...input, sourceAccount: ACCOUNT });
  t.same(permissionInputOf(withAccount), { ...input, sourceAccount: ACCOUNT });
  t.equal(permissionInputOf({ ...stored, Action: ['a', 'b'] }), undefined);
  t.equal(permissionInputOf({ ...stored, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } } }), undefined);
  t.equal(policySizeBytes([stored]), JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: [stored] }).length);
});
