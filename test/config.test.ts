// Configuration from the environment (src/config.ts): defaults, text to numbers, unknown variables
// ignored, and one ConfigError that names every bad variable.
import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.js';

t.test('defaults apply to unset and empty variables; numbers arrive as text', async (t) => {
  const config = loadConfig({ PORT: '8080', HOST: '', GATEWIRE_AWS_MAX_ATTEMPTS: '7', UNRELATED: 'x' });
  t.equal(config.port, 8080);
  t.equal(config.host, '127.0.0.1', 'an empty string means unset');
  t.equal(config.region, 'us-east-1');
  t.equal(config.auditUrl, 'sqlite:./data/audit.db');
  t.equal(config.awsMaxAttempts, 7);
  t.equal(config.logLevel, 'info');
  t.same(config.awsRateLimits, { apiGateway: { perSecond: 10, burst: 40 }, lambda: { perSecond: 15, burst: 15 } }, "AWS's documented rates");
});

t.test('the AWS limiters are configurable, and 0 turns one off', async (t) => {
  const config = loadConfig({ GATEWIRE_APIGATEWAY_RATE: '2.5', GATEWIRE_APIGATEWAY_BURST: '5', GATEWIRE_LAMBDA_RATE: '0' });
  t.same(config.awsRateLimits, { apiGateway: { perSecond: 2.5, burst: 5 }, lambda: undefined });
});

t.test('one ConfigError names every bad variable, with the allowed values of an enum', async (t) => {
  let error: unknown;
  try {
    loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', AWS_REGION: 'nowhere', GATEWIRE_AWS_MAX_ATTEMPTS: '0', GATEWIRE_APIGATEWAY_RATE: '-1' });
  } catch (caught) {
    error = caught;
  }
  t.ok(error instanceof ConfigError, 'a ConfigError');
  const message = (error as Error).message;
  for (const variable of ['PORT', 'LOG_LEVEL', 'AWS_REGION', 'GATEWIRE_AWS_MAX_ATTEMPTS', 'GATEWIRE_APIGATEWAY_RATE']) {
    t.match(message, new RegExp(`${variable} `), `names ${variable}`);
  }
  t.match(message, /LOG_LEVEL .*\(fatal, error, warn, info, debug, trace, silent\)/, 'lists what LOG_LEVEL may be');
});

t.test('GATEWIRE_JWT_JWKS_URL must be https://, or http:// on a loopback host only', async (t) => {
  const jwt = { GATEWIRE_JWT_ISSUER: 'https://issuer.example.com/', GATEWIRE_JWT_AUDIENCE: 'gatewire' };
  for (const url of ['http://issuer.example.com/.well-known/jwks.json', 'http://10.0.0.5/jwks', 'http://127.0.0.1.evil.example/jwks']) {
    t.throws(() => loadConfig({ ...jwt, GATEWIRE_JWT_JWKS_URL: url }), { name: 'ConfigError', message: /GATEWIRE_JWT_JWKS_URL must be an https:\/\/ URL/ }, url);
  }
  for (const url of ['https://issuer.example.com/.well-known/jwks.json', 'http://127.0.0.1:8080/jwks', 'http://localhost/jwks', 'http://[::1]:9000/jwks']) {
    t.equal(loadConfig({ ...jwt, GATEWIRE_JWT_JWKS_URL: url }).auth.jwt?.jwksUrl, url, `${url} is accepted`);
  }
});

t.test('Lambda mode: event identities need GATEWIRE_LAMBDA_TRUSTED_APIS, and an API Gateway JWT issuer needs an audience', async (t) => {
  const base = { GATEWIRE_AUDIT_URL: 'postgres://gatewire@db/audit' };
  const principals = JSON.stringify([{ principal: 'arn:aws:iam::123456789012:role/ci', scopes: ['write'] }]);
  t.throws(() => loadConfig({ ...base, GATEWIRE_IAM_PRINCIPALS: principals }, { runtime: 'lambda' }), {
    name: 'ConfigError',
    message: /GATEWIRE_LAMBDA_TRUSTED_APIS must be set on Lambda when GATEWIRE_IAM_PRINCIPALS is/,
  });
  t.throws(() => loadConfig({ ...base, GATEWIRE_JWT_ISSUER: 'https://idp.example.com/', GATEWIRE_LAMBDA_TRUSTED_APIS: '123456789012:abcdef1234' }, { runtime: 'lambda' }), {
    message: /GATEWIRE_JWT_AUDIENCE must be set on Lambda/,
  });
  t.throws(() => loadConfig({ ...base, GATEWIRE_IAM_PRINCIPALS: principals, GATEWIRE_LAMBDA_TRUSTED_APIS: 'abcdef1234' }, { runtime: 'lambda' }), {
    message: /GATEWIRE_LAMBDA_TRUSTED_APIS "abcdef1234" is not accountId:apiId/,
  });
  const config = loadConfig(
    { ...base, GATEWIRE_IAM_PRINCIPALS: principals, GATEWIRE_LAMBDA_TRUSTED_APIS: '123456789012:abcdef1234, 210987654321:zz99' },
    { runtime: 'lambda' },
  );
  t.same(config.auth.trustedApis, [
    { accountId: '123456789012', apiId: 'abcdef1234' },
    { accountId: '210987654321', apiId: 'zz99' },
  ]);
});

t.test('guardrails: none configured is the built-in default; a document inline or in a file', async (t) => {
  t.same(loadConfig({}).guardrails, { source: 'default', document: { policies: [] } });
  const text = JSON.stringify({ policies: [{ name: 'team', callers: [{ apiKey: 'ci' }], rules: { vpcLinks: ['abc'] } }] });
  t.equal(loadConfig({ GATEWIRE_GUARDRAILS: text }).guardrails.document.policies[0]?.name, 'team');
  const dir = t.testdir({ 'guardrails.json': text });
  const fromFile = loadConfig({ GATEWIRE_GUARDRAILS_FILE: `${dir}/guardrails.json` }).guardrails;
  t.equal(fromFile.source, `file:${dir}/guardrails.json`);
  t.equal(fromFile.document.policies[0]?.name, 'team');
  t.throws(() => loadConfig({ GATEWIRE_GUARDRAILS_FILE: `${dir}/missing.json` }), /GATEWIRE_GUARDRAILS_FILE .*missing\.json cannot be read \(ENOENT\)/);
  t.throws(() => loadConfig({ GATEWIRE_GUARDRAILS: text, GATEWIRE_GUARDRAILS_FILE: `${dir}/guardrails.json` }), /not both/);
});

t.test('an invalid guardrail document stops the start with one message naming each bad rule and its path', async (t) => {
  const bad = JSON.stringify({
    policies: [
      { name: 'a', rules: { functionAccounts: ['12345'], integrationTypes: ['SOAP'], timeoutInMillis: { min: 10 } } },
      { name: 'b', callers: [{ team: 'x' }], rules: { vpcLink: ['abc'] } },
      { name: 'a', rules: { timeoutInMillis: { min: 5000, max: 1000 } } },
    ],
  });
  const error = t.throws(() => loadConfig({ GATEWIRE_GUARDRAILS: bad })) as ConfigError;
  t.type(error, ConfigError);
  const message = error.message;
  t.match(message, /^Invalid configuration: GATEWIRE_GUARDRAILS has \d+ bad rule\(s\): /);
  for (const path of ['/policies/0/rules/functionAccounts/0', '/policies/0/rules/integrationTypes/0', '/policies/0/rules/timeoutInMillis/min', '/policies/1/callers/0', '/policies/1/rules']) {
    t.ok(message.includes(path), `names ${path}`);
  }
  t.match(message, /vpcLink/, 'names the unknown rule');
  t.throws(() => loadConfig({ GATEWIRE_GUARDRAILS: '{"policies":[{"name":"a","rules":{}},{"name":"a","rules":{"timeoutInMillis":{"min":5000,"max":1000}}}]}' }), {
    message: /\/policies\/1\/name "a" is used by an earlier policy; \/policies\/1\/rules\/timeoutInMillis min 5000 is above max 1000/,
  });
  t.throws(() => loadConfig({ GATEWIRE_GUARDRAILS: '{policies' }), /GATEWIRE_GUARDRAILS is not JSON/);
});

t.test('guardrails whose session policy for a cross-account role would exceed AWS’s 2,048 characters stop the start', async (t) => {
  const roles = '210987654321=arn:aws:iam::210987654321:role/gatewire';
  const patterns = Array.from({ length: 40 }, (_, i) => `arn:aws:lambda:us-east-1:210987654321:function:team-${i}-handler`);
  const many = JSON.stringify({ policies: [{ name: 'wide', rules: { functionAccounts: ['210987654321'], functionArns: patterns } }] });
  t.throws(() => loadConfig({ GATEWIRE_CROSS_ACCOUNT_ROLES: roles, GATEWIRE_GUARDRAILS: many }), /account 210987654321: its session policy would be \d+ characters, AWS accepts 2048/);
  const few = JSON.stringify({ policies: [{ name: 'narrow', rules: { functionAccounts: ['210987654321'], functionArns: patterns.slice(0, 2) } }] });
  t.equal(loadConfig({ GATEWIRE_CROSS_ACCOUNT_ROLES: roles, GATEWIRE_GUARDRAILS: few }).guardrails.document.policies[0]?.name, 'narrow');
});
