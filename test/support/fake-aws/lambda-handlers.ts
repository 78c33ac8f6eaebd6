// The Lambda (2015-03-31) operations Gatewire uses: GetFunction, GetAlias, and the policy calls (§4).
// Lambda's JSON is PascalCase on the wire, unlike API Gateway v2.
import { asObject, optionalString, type JsonObject } from './body-fields.js';
import { lambdaInvalidParameter, type AwsError } from './errors.js';
import { aliasNotFound, type LambdaFunctions } from './lambda-functions.js';
import { created, defineOperation, label, noContent, ok, type Operation } from './operations.js';
import { buildStatement, type PermissionInput, type PolicyStore } from './policy.js';

const STATEMENT_ID = /^[a-zA-Z0-9-_]+$/;
/** RemovePermission's StatementId pattern also allows `.` (§4). */
const REMOVABLE_STATEMENT_ID = /^[a-zA-Z0-9-_.]+$/;
const ACTION = /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/;

export function createLambdaOperations(functions: LambdaFunctions, policies: PolicyStore): Operation[] {
  const base = '/2015-03-31/functions/{FunctionName}';
  const op = (name: string, method: string, path: string, handle: Operation['handle']): Operation =>
    defineOperation('lambda', name, method, path, handle);

  return [
    op('GetFunction', 'GET', base, (request) => {
      const resolved = functions.resolve(label(request, 'FunctionName'), request.query.Qualifier);
      const { fn } = resolved;
      return ok({
        Configuration: {
          FunctionName: fn.name,
          FunctionArn: resolved.resourceArn,
          Runtime: 'nodejs20.x',
          Role: `arn:aws:iam::${fn.accountId}:role/${fn.name}-role`,
          Handler: 'index.handler',
          CodeSize: 1024,
          Description: '',
          Timeout: 3,
          MemorySize: 128,
          LastModified: fn.lastModified,
          CodeSha256: 'fake',
          Version: functions.versionOf(resolved),
          RevisionId: policies.revisionId(resolved.resourceArn),
          State: 'Active',
          LastUpdateStatus: 'Successful',
          PackageType: 'Zip',
          Architectures: ['x86_64'],
        },
        Code: { RepositoryType: 'S3', Location: `https://awslambda-${functions.region}-tasks.s3.amazonaws.com/snapshots/${fn.accountId}/${fn.name}` },
      });
    }),
    op('GetAlias', 'GET', `${base}/aliases/{Name}`, (request) => {
      const { fn } = functions.resolve(label(request, 'FunctionName'));
      const alias = label(request, 'Name');
      const version = fn.aliases.get(alias);
      if (version === undefined) aliasNotFound(fn, alias);
      return ok({
        AliasArn: `${fn.arn}:${alias}`,
        Name: alias,
        FunctionVersion: version,
        Description: '',
        RevisionId: policies.revisionId(`${fn.arn}:${alias}`),
      });
    }),
    // Invoke, asynchronously (Gatewire on Lambda continues a change in another invocation): the
    // payload is the call's body (FakeCall.body); nothing runs. 202 as Lambda answers an Event.
    op('Invoke', 'POST', `${base}/invocations`, (request) => {
      functions.resolve(label(request, 'FunctionName'), request.query.Qualifier);
      return { status: 202 };
    }),
    op('GetPolicy', 'GET', `${base}/policy`, (request) => {
      const resolved = functions.resolve(label(request, 'FunctionName'), request.query.Qualifier);
      return ok(policies.document(resolved.resourceArn));
    }),
    op('AddPermission', 'POST', `${base}/policy`, (request) => {
      const resolved = functions.resolve(label(request, 'FunctionName'), request.query.Qualifier);
      if (resolved.qualifier === '$LATEST') throw lambdaInvalidParameter('We currently do not support adding policies for $LATEST.');
      const body = asObject(request.body, lambdaInvalidParameter);
      const input = readPermission(body);
      const statement = policies.add(resolved.resourceArn, buildStatement(input, resolved.resourceArn), optionalString(body, 'RevisionId', lambdaInvalidParameter));
      return created({ Statement: JSON.stringify(statement) });
    }),
    op('RemovePermission', 'DELETE', `${base}/policy/{StatementId}`, (request) => {
      const resolved = functions.resolve(label(request, 'FunctionName'), request.query.Qualifier);
      const sid = label(request, 'StatementId');
      if (!REMOVABLE_STATEMENT_ID.test(sid) || sid.length > 100) throw invalidStatementId(sid, REMOVABLE_STATEMENT_ID);
      policies.remove(resolved.resourceArn, sid, request.query.RevisionId);
      return noContent();
    }),
  ];
}

function readPermission(body: JsonObject): PermissionInput {
  const required = (field: string): string => {
    const value = optionalString(body, field, lambdaInvalidParameter);
    if (value === undefined || value === '') throw lambdaInvalidParameter(`${field} is required`);
    return value;
  };
  const optional = (field: string): string | undefined => optionalString(body, field, lambdaInvalidParameter);
  const StatementId = required('StatementId');
  if (!STATEMENT_ID.test(StatementId) || StatementId.length > 100) throw invalidStatementId(StatementId, STATEMENT_ID);
  const Action = required('Action');
  if (!ACTION.test(Action)) throw lambdaInvalidParameter(`1 validation error detected: Value '${Action}' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ACTION.source}`);
  const SourceAccount = optional('SourceAccount');
  if (SourceAccount !== undefined && !/^\d{12}$/.test(SourceAccount)) {
    throw lambdaInvalidParameter(`1 validation error detected: Value '${SourceAccount}' at 'sourceAccount' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}`);
  }
  return {
    StatementId,
    Action,
    Principal: required('Principal'),
    SourceArn: optional('SourceArn'),
    SourceAccount,
    PrincipalOrgID: optional('PrincipalOrgID'),
    EventSourceToken: optional('EventSourceToken'),
    FunctionUrlAuthType: optional('FunctionUrlAuthType'),
  };
}

function invalidStatementId(sid: string, pattern: RegExp): AwsError {
  return lambdaInvalidParameter(
    `1 validation error detected: Value '${sid}' at 'statementId' failed to satisfy constraint: ` +
      `Member must satisfy regular expression pattern: ${pattern.source.slice(1, -1)} and have length between 1 and 100`,
  );
}
