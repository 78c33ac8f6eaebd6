// Lambda resource policies (reference §4): one policy per (function, qualifier), each with its own
// RevisionId that changes on every write, capped at 20480 bytes serialized.
import { randomUUID } from 'node:crypto';
import { lambdaError, lambdaNotFound } from './errors.js';
import type { PolicyStatement } from './types.js';

export const POLICY_SIZE_LIMIT = 20_480;

export interface PermissionInput {
  StatementId: string;
  Action: string;
  Principal: string;
  SourceArn?: string;
  SourceAccount?: string;
  PrincipalOrgID?: string;
  EventSourceToken?: string;
  FunctionUrlAuthType?: string;
}

interface PolicyScope {
  statements: PolicyStatement[];
  revisionId: string;
}

export class PolicyStore {
  private readonly scopes = new Map<string, PolicyScope>();

  /** Statements of the policy on `resourceArn` (a copy; [] when there is none). */
  statements(resourceArn: string): PolicyStatement[] {
    return structuredClone(this.scopes.get(resourceArn)?.statements ?? []);
  }

  revisionId(resourceArn: string): string {
    return this.scope(resourceArn).revisionId;
  }

  /** The GetPolicy answer; 404 when there is no statement, which callers should read as "empty". */
  document(resourceArn: string): { Policy: string; RevisionId: string } {
    const scope = this.scope(resourceArn);
    if (scope.statements.length === 0) throw lambdaNotFound('The resource you requested does not exist.');
    return { Policy: serializePolicy(scope.statements), RevisionId: scope.revisionId };
  }

  /** AddPermission's checks, in Lambda's order: revision, duplicate Sid, size. Returns the statement. */
  add(resourceArn: string, statement: PolicyStatement, expectedRevisionId: string | undefined): PolicyStatement {
    const scope = this.scope(resourceArn);
    checkRevision(scope, expectedRevisionId);
    if (scope.statements.some((existing) => existing.Sid === statement.Sid)) {
      throw lambdaError(
        409,
        'ResourceConflictException',
        `The statement id (${statement.Sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
      );
    }
    const statements = [...scope.statements, statement];
    const size = Buffer.byteLength(serializePolicy(statements), 'utf8');
    if (size > POLICY_SIZE_LIMIT) {
      throw lambdaError(400, 'PolicyLengthExceededException', `The final policy size (${size}) is bigger than the limit (${POLICY_SIZE_LIMIT}).`);
    }
    this.write(resourceArn, statements);
    return structuredClone(statement);
  }

  remove(resourceArn: string, sid: string, expectedRevisionId: string | undefined): void {
    const scope = this.scope(resourceArn);
    checkRevision(scope, expectedRevisionId);
    if (scope.statements.length === 0) throw lambdaNotFound('No policy is associated with the given resource.');
    if (!scope.statements.some((statement) => statement.Sid === sid)) {
      throw lambdaNotFound(`Statement ${sid} is not found in resource policy.`);
    }
    this.write(resourceArn, scope.statements.filter((statement) => statement.Sid !== sid));
  }

  /** Seeds a statement written by someone else (no checks; replaces a statement with the same Sid). */
  put(resourceArn: string, statement: PolicyStatement): void {
    const others = this.scope(resourceArn).statements.filter((existing) => existing.Sid !== statement.Sid);
    this.write(resourceArn, [...others, structuredClone(statement)]);
  }

  snapshot(): Record<string, PolicyStatement[]> {
    const result: Record<string, PolicyStatement[]> = {};
    for (const [arn, scope] of this.scopes) if (scope.statements.length > 0) result[arn] = structuredClone(scope.statements);
    return result;
  }

  private scope(resourceArn: string): PolicyScope {
    let scope = this.scopes.get(resourceArn);
    if (!scope) {
      scope = { statements: [], revisionId: randomUUID() };
      this.scopes.set(resourceArn, scope);
    }
    return scope;
  }

  private write(resourceArn: string, statements: PolicyStatement[]): void {
    this.scopes.set(resourceArn, { statements, revisionId: randomUUID() });
  }
}

export function serializePolicy(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements });
}

/** The statement Lambda stores for an AddPermission call (§4; conditions as moto and AWS store them, §8). */
export function buildStatement(input: PermissionInput, resourceArn: string): PolicyStatement {
  const stringEquals: Record<string, string> = {};
  if (input.SourceAccount !== undefined) stringEquals['AWS:SourceAccount'] = input.SourceAccount;
  if (input.PrincipalOrgID !== undefined) stringEquals['aws:PrincipalOrgID'] = input.PrincipalOrgID;
  if (input.EventSourceToken !== undefined) stringEquals['lambda:EventSourceToken'] = input.EventSourceToken;
  if (input.FunctionUrlAuthType !== undefined) stringEquals['lambda:FunctionUrlAuthType'] = input.FunctionUrlAuthType;
  const condition: Record<string, Record<string, string>> = {};
  if (Object.keys(stringEquals).length > 0) condition.StringEquals = stringEquals;
  if (input.SourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': input.SourceArn };
  const statement: PolicyStatement = {
    Sid: input.StatementId,
    Effect: 'Allow',
    Principal: principalOf(input.Principal),
    Action: input.Action,
    Resource: resourceArn,
  };
  if (Object.keys(condition).length > 0) statement.Condition = condition;
  return statement;
}

function principalOf(principal: string): unknown {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (principal.startsWith('arn:')) return { AWS: principal };
  return { Service: principal };
}

function checkRevision(scope: PolicyScope, expected: string | undefined): void {
  if (expected !== undefined && expected !== scope.revisionId) {
    throw lambdaError(
      412,
      'PreconditionFailedException',
      'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
    );
  }
}
