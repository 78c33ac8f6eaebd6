// STS (2011-06-15) for the fake: GetCallerIdentity and AssumeRole over awsQuery (POST / with a
// form body `Action=…&Version=2011-06-15&…`, XML answers). Shapes follow the SDK's schemas in
// node_modules/@aws-sdk/client-sts/dist-cjs/index.js and the AwsQueryProtocol deserializer in
// @aws-sdk/core: `<{Action}Response><{Action}Result>…</{Action}Result><ResponseMetadata>…` and, for
// errors, `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
//
// Identities: any access key the fake did not issue is the fake's default account (a user);
// AssumeRole of `arn:aws:iam::{B}:role/{name}` issues temporary keys that belong to account B, so
// that Lambda policy writes can check they were signed in the function's account (§4).
import { randomBytes, randomUUID } from 'node:crypto';

export const STS_VERSION = '2011-06-15';
const XMLNS = `https://sts.amazonaws.com/doc/${STS_VERSION}/`;
const ROLE_ARN = /^arn:aws[a-zA-Z-]*:iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

export interface StsIdentity {
  accountId: string;
  arn: string;
  userId: string;
  /** Set for assumed-role credentials. */
  roleArn?: string;
  expiration?: Date;
  /** The session policy passed to AssumeRole (JSON as sent), if any: it narrows what the session may do. */
  sessionPolicy?: string;
}

/** One AssumeRole the fake answered: the role and the session policy sent with it. */
export interface AssumedSession {
  roleArn: string;
  sessionPolicy?: string;
}

export interface StsAnswer {
  operation: string;
  status: number;
  xml: string;
}

export class FakeSts {
  private readonly issued = new Map<string, StsIdentity>();
  private readonly blockedRoles = new Set<string>();
  /** role -> the sts:ExternalId its trust policy requires. */
  private readonly externalIds = new Map<string, string>();

  constructor(
    readonly accountId: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The identity signing with `accessKeyId`: an issued temporary key's, else the default account's. */
  identityOf(accessKeyId: string | undefined): StsIdentity {
    const issued = accessKeyId === undefined ? undefined : this.issued.get(accessKeyId);
    if (issued) return issued;
    return { accountId: this.accountId, arn: `arn:aws:iam::${this.accountId}:user/fake-user`, userId: 'AIDAFAKEUSER000000001' };
  }

  /** AssumeRole of this role answers AccessDenied from now on. */
  blockRole(roleArn: string): void {
    this.blockedRoles.add(roleArn);
  }

  /** AssumeRole of this role answers AccessDenied unless it sends this ExternalId (a trust-policy condition). */
  requireExternalId(roleArn: string, externalId: string): void {
    this.externalIds.set(roleArn, externalId);
  }

  /** Every role assumed so far, in order of issue. */
  assumedRoles(): string[] {
    return [...this.issued.values()].map((identity) => identity.roleArn ?? '');
  }

  /** Every session issued so far, with its session policy, in order of issue. */
  assumedSessions(): AssumedSession[] {
    return [...this.issued.values()].map((identity) => ({
      roleArn: identity.roleArn ?? '',
      ...(identity.sessionPolicy !== undefined ? { sessionPolicy: identity.sessionPolicy } : {}),
    }));
  }

  handle(form: URLSearchParams, accessKeyId: string | undefined, requestId: string): StsAnswer {
    const operation = form.get('Action') ?? 'Unknown';
    try {
      if (form.get('Version') !== STS_VERSION) throw stsError(400, 'InvalidAction', `Could not find operation ${operation} for version ${form.get('Version') ?? 'NO_VERSION_SPECIFIED'}`);
      switch (operation) {
        case 'GetCallerIdentity': {
          const identity = this.identityOf(accessKeyId);
          return { operation, status: 200, xml: result(operation, `<Arn>${identity.arn}</Arn><UserId>${identity.userId}</UserId><Account>${identity.accountId}</Account>`, requestId) };
        }
        case 'AssumeRole':
          return { operation, status: 200, xml: result(operation, this.assumeRole(form, accessKeyId), requestId) };
        default:
          throw stsError(400, 'InvalidAction', `Could not find operation ${operation} for version ${STS_VERSION}`);
      }
    } catch (error) {
      if (!(error instanceof StsError)) throw error;
      return { operation, status: error.status, xml: errorXml(error, requestId) };
    }
  }

  private assumeRole(form: URLSearchParams, accessKeyId: string | undefined): string {
    const roleArn = form.get('RoleArn') ?? '';
    const sessionName = form.get('RoleSessionName') ?? '';
    const duration = form.get('DurationSeconds') === null ? 3600 : Number(form.get('DurationSeconds'));
    const match = ROLE_ARN.exec(roleArn);
    if (!match) throw stsError(400, 'ValidationError', `${roleArn || 'RoleArn'} is invalid`);
    if (!SESSION_NAME.test(sessionName)) {
      throw stsError(400, 'ValidationError', `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
    }
    if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) {
      throw stsError(400, 'ValidationError', `1 validation error detected: Value '${form.get('DurationSeconds')}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
    }
    const sessionPolicy = form.get('Policy') ?? undefined;
    if (sessionPolicy !== undefined) checkSessionPolicy(sessionPolicy);
    const caller = this.identityOf(accessKeyId);
    const required = this.externalIds.get(roleArn);
    if (this.blockedRoles.has(roleArn) || (required !== undefined && form.get('ExternalId') !== required)) {
      throw stsError(403, 'AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    const [, accountId, , roleName] = match as unknown as [string, string, string, string];
    const key = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const roleId = `AROA${randomBytes(8).toString('hex').toUpperCase()}`;
    const expiration = new Date(Math.floor(this.now() / 1000) * 1000 + duration * 1000);
    const arn = `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
    this.issued.set(key, { accountId, arn, userId: `${roleId}:${sessionName}`, roleArn, expiration, ...(sessionPolicy !== undefined ? { sessionPolicy } : {}) });
    return (
      `<AssumedRoleUser><AssumedRoleId>${roleId}:${sessionName}</AssumedRoleId><Arn>${arn}</Arn></AssumedRoleUser>` +
      `<Credentials><AccessKeyId>${key}</AccessKeyId><SecretAccessKey>${randomBytes(20).toString('base64')}</SecretAccessKey>` +
      `<SessionToken>${randomUUID()}</SessionToken><Expiration>${expiration.toISOString()}</Expiration></Credentials>` +
      '<PackedPolicySize>0</PackedPolicySize>'
    );
  }
}

/**
 * AssumeRole's `Policy`: 1..2048 characters of JSON with a `Statement` (AWS answers
 * MalformedPolicyDocument for a document it cannot parse, PackedPolicyTooLarge above its packed limit).
 */
function checkSessionPolicy(policy: string): void {
  if (policy.length < 1 || policy.length > 2048) {
    throw stsError(400, 'ValidationError', `1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048`);
  }
  let document: unknown;
  try {
    document = JSON.parse(policy);
  } catch {
    throw stsError(400, 'MalformedPolicyDocument', 'The policy is not in the valid JSON format.');
  }
  if (typeof document !== 'object' || document === null || !('Statement' in document)) {
    throw stsError(400, 'MalformedPolicyDocument', 'Syntax errors in policy.');
  }
}

/**
 * Whether a session policy allows `action` on `resource`: an Allow statement naming the action (or
 * a wildcard of it) and a resource pattern (`*`, `?` as in IAM) that matches. No policy: allowed.
 */
export function sessionPolicyAllows(policy: string | undefined, action: string, resource: string): boolean {
  if (policy === undefined) return true;
  const document = JSON.parse(policy) as { Statement: unknown };
  const statements = (Array.isArray(document.Statement) ? document.Statement : [document.Statement]) as {
    Effect?: string;
    Action?: string | string[];
    Resource?: string | string[];
  }[];
  const list = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  const matches = (pattern: string, value: string) =>
    new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(value);
  return statements.some(
    (statement) =>
      statement.Effect === 'Allow' &&
      list(statement.Action).some((pattern) => matches(pattern, action)) &&
      list(statement.Resource).some((pattern) => matches(pattern, resource)),
  );
}

/** The access key id of a SigV4 `Authorization` header (`… Credential=AKID/date/region/service/aws4_request, …`). */
export function accessKeyIdOf(authorization: string | undefined): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
}

class StsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function stsError(status: number, code: string, message: string): StsError {
  return new StsError(status, code, message);
}

function result(operation: string, inner: string, requestId: string): string {
  return (
    `<${operation}Response xmlns="${XMLNS}"><${operation}Result>${inner}</${operation}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`
  );
}

function errorXml(error: StsError, requestId: string): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${error.code}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
