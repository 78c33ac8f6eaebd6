// Lambda resource-policy statements (reference §4): parsing GetPolicy's JSON string, the statement
// Lambda stores for an AddPermission call, and whether a statement grants API Gateway the right to
// invoke one function ARN from one execute-api source ARN. Pure: no I/O.

/** One statement of a function policy, as Lambda stores and returns it. */
export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: unknown;
  [key: string]: unknown;
}

/** AddPermission's parameters in Lambda's wire terms (lowerCamel), as plan steps carry them. */
export interface PermissionStatementInput {
  /** The unqualified function ARN. */
  functionName: string;
  qualifier?: string;
  statementId: string;
  action: string;
  principal: string;
  sourceArn?: string;
  sourceAccount?: string;
}

export const INVOKE_ACTION = 'lambda:InvokeFunction';
export const APIGATEWAY_PRINCIPAL = 'apigateway.amazonaws.com';
/** Lambda's cap on the serialized policy (reference §4, PolicyLengthExceededException). */
export const POLICY_SIZE_LIMIT = 20_480;

/**
 * The statements of a policy document (GetPolicy's `Policy` string). Throws on a string that is not
 * a policy: Lambda never sends one, and guessing would risk removing or duplicating statements.
 */
export function parsePolicy(policy: string): PolicyStatement[] {
  const document = JSON.parse(policy) as unknown;
  if (!isObject(document)) throw new Error('The function policy is not a JSON object');
  const statements = document.Statement;
  if (statements === undefined) return [];
  // IAM allows a single statement object in place of the array.
  const list = Array.isArray(statements) ? statements : [statements];
  if (!list.every(isObject)) throw new Error('The function policy has a statement that is not an object');
  return list as PolicyStatement[];
}

/** The policy document Lambda serializes (and measures against the 20 KB cap). */
export function serializePolicy(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements });
}

export function policySizeBytes(statements: readonly PolicyStatement[]): number {
  return new TextEncoder().encode(serializePolicy(statements)).length;
}

/** The ARN a statement's Resource names: the function ARN, with `:qualifier` when there is one. */
export function qualifiedArn(functionArn: string, qualifier: string | undefined): string {
  return qualifier === undefined ? functionArn : `${functionArn}:${qualifier}`;
}

/** The statement Lambda stores for an AddPermission call with these parameters (reference §4). */
export function statementFor(input: PermissionStatementInput): PolicyStatement {
  const condition: Record<string, Record<string, string>> = {};
  if (input.sourceAccount !== undefined) condition.StringEquals = { 'AWS:SourceAccount': input.sourceAccount };
  if (input.sourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': input.sourceArn };
  const statement: PolicyStatement = {
    Sid: input.statementId,
    Effect: 'Allow',
    Principal: principalOf(input.principal),
    Action: input.action,
    Resource: qualifiedArn(input.functionName, input.qualifier),
  };
  if (Object.keys(condition).length > 0) statement.Condition = condition;
  return statement;
}

/**
 * True when `existing` is the statement AddPermission would store for `input`: same Sid, effect,
 * principal, action, resource and conditions (keys compared case-insensitively, as IAM does).
 */
export function isSameStatement(existing: PolicyStatement, input: PermissionStatementInput): boolean {
  const wanted = statementFor(input);
  return (
    existing.Sid === wanted.Sid &&
    existing.Effect === 'Allow' &&
    canonical(existing.Principal) === canonical(wanted.Principal) &&
    canonical(existing.Action) === canonical(wanted.Action) &&
    canonical(existing.Resource) === canonical(wanted.Resource) &&
    canonical(normalizeCondition(existing.Condition)) === canonical(normalizeCondition(wanted.Condition))
  );
}

/**
 * The AddPermission parameters that would recreate `statement` (to undo its removal), or undefined
 * when AddPermission cannot express it (several actions, resources or principals, other conditions).
 */
export function permissionInputOf(statement: PolicyStatement): PermissionStatementInput | undefined {
  if (typeof statement.Sid !== 'string' || statement.Effect !== 'Allow') return undefined;
  if (typeof statement.Action !== 'string' || typeof statement.Resource !== 'string') return undefined;
  const principal = isObject(statement.Principal) ? statement.Principal.Service : undefined;
  if (typeof principal !== 'string') return undefined;
  const resource = /^(arn:[^:]+:lambda:[^:]+:\d{12}:function:[^:]+)(?::([^:]+))?$/.exec(statement.Resource);
  if (!resource) return undefined;
  const input: PermissionStatementInput = {
    functionName: resource[1]!,
    statementId: statement.Sid,
    action: statement.Action,
    principal,
  };
  if (resource[2] !== undefined) input.qualifier = resource[2];
  const condition = normalizeCondition(statement.Condition);
  for (const [operator, entries] of Object.entries(condition)) {
    for (const [key, values] of Object.entries(entries)) {
      if (values.length !== 1) return undefined;
      if (operator === 'arnlike' && key === 'aws:sourcearn') input.sourceArn = values[0]!;
      else if (operator === 'stringequals' && key === 'aws:sourceaccount') input.sourceAccount = values[0]!;
      else return undefined;
    }
  }
  return isSameStatement(statement, input) ? input : undefined;
}

/** What an API Gateway invocation looks like to a function policy. */
export interface InvocationRequest {
  /** The ARN invoked: the function ARN, qualified when the integration URI is. */
  resourceArn: string;
  /** The execute-api ARN (pattern) the invocation comes from; `*` and `?` in it stand for anything. */
  sourceArn: string;
  /** The API's account. */
  sourceAccount: string;
}

/**
 * True when `statement` allows API Gateway to invoke `request.resourceArn` for every source ARN the
 * `request.sourceArn` pattern covers. Sound rather than complete: a statement this cannot read
 * (Not* elements, conditions on other keys, unknown operators) does not count as a grant.
 */
export function statementGrants(statement: PolicyStatement, request: InvocationRequest): boolean {
  if (statement.Effect !== 'Allow') return false;
  if ('NotPrincipal' in statement || 'NotAction' in statement || 'NotResource' in statement) return false;
  if (!principalAllowsApiGateway(statement.Principal)) return false;
  if (!stringsOf(statement.Action).some((action) => globCovers(action.toLowerCase(), INVOKE_ACTION.toLowerCase()))) return false;
  if (!stringsOf(statement.Resource).includes(request.resourceArn)) return false;
  return conditionHolds(statement.Condition, request);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function principalOf(principal: string): unknown {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (principal.startsWith('arn:')) return { AWS: principal };
  return { Service: principal };
}

function principalAllowsApiGateway(principal: unknown): boolean {
  if (principal === '*') return true;
  if (!isObject(principal)) return false;
  if (stringsOf(principal.AWS).includes('*')) return true;
  return stringsOf(principal.Service).includes(APIGATEWAY_PRINCIPAL);
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

/** Condition operators and keys lower-cased, values as lists: `{ arnlike: { 'aws:sourcearn': [...] } }`. */
function normalizeCondition(condition: unknown): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  if (!isObject(condition)) return out;
  for (const [operator, entries] of Object.entries(condition)) {
    const normalized: Record<string, string[]> = {};
    if (isObject(entries)) {
      for (const [key, value] of Object.entries(entries)) normalized[key.toLowerCase()] = stringsOf(value);
    }
    out[operator.toLowerCase()] = normalized;
  }
  return out;
}

function conditionHolds(condition: unknown, request: InvocationRequest): boolean {
  if (condition === undefined) return true;
  if (!isObject(condition)) return false;
  const context: Record<string, string> = {
    'aws:sourcearn': request.sourceArn,
    'aws:sourceaccount': request.sourceAccount,
  };
  // Every operator, every key must hold (AND); the values of one key are alternatives (OR).
  for (const [rawOperator, values] of Object.entries(normalizeCondition(condition))) {
    const operator = rawOperator.replace(/ifexists$/, '');
    for (const [key, candidates] of Object.entries(values)) {
      const actual = context[key];
      if (actual === undefined || candidates.length === 0) return false;
      if (!candidates.some((candidate) => operatorHolds(operator, candidate, actual, key === 'aws:sourcearn'))) return false;
    }
  }
  return true;
}

/**
 * Does `operator(candidate)` hold for every value the request's `actual` (a pattern for the source
 * ARN, where `*` and `?` stand for anything) can take?
 */
function operatorHolds(operator: string, candidate: string, actual: string, actualIsPattern: boolean): boolean {
  const literal = !actualIsPattern || !/[*?]/.test(actual);
  switch (operator) {
    case 'stringequals':
      return literal && candidate === actual;
    case 'stringequalsignorecase':
      return literal && candidate.toLowerCase() === actual.toLowerCase();
    case 'stringlike':
      return globCovers(candidate, actual);
    case 'arnlike':
    case 'arnequals':
      return arnCovers(candidate, actual);
    default:
      return false;
  }
}

/** ArnLike / ArnEquals: the six colon-separated parts are matched separately (the last keeps its colons). */
function arnCovers(pattern: string, actual: string): boolean {
  const patternParts = arnParts(pattern);
  const actualParts = arnParts(actual);
  if (!patternParts || !actualParts) return globCovers(pattern, actual);
  return patternParts.every((part, index) => globCovers(part, actualParts[index]!));
}

function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * True when every string matched by `inner` is matched by `outer`, where in both `*` matches any run of
 * characters (including `/`) and `?` one character. A `*` of `inner` can only be absorbed by a `*` of
 * `outer`, a `?` of `inner` by `?` or `*`. Sound; complete for the patterns Gatewire writes.
 */
export function globCovers(outer: string, inner: string): boolean {
  const memo = new Map<number, boolean>();
  const at = (i: number, j: number): boolean => {
    const key = i * (inner.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === outer.length) {
      result = j === inner.length;
    } else if (outer[i] === '*') {
      // Absorb nothing, or one more symbol of `inner` (any symbol, wildcards included).
      result = at(i + 1, j) || (j < inner.length && at(i, j + 1));
    } else if (j === inner.length) {
      result = false;
    } else if (outer[i] === '?') {
      result = inner[j] !== '*' && at(i + 1, j + 1);
    } else {
      result = inner[j] === outer[i] && at(i + 1, j + 1);
    }
    memo.set(key, result);
    return result;
  };
  return at(0, 0);
}

/** Key-order-independent JSON, for comparing statements. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
