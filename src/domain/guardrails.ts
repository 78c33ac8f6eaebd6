// Guardrails (DESIGN §4a): who may wire what. Policies are data (GATEWIRE_GUARDRAILS or
// GATEWIRE_GUARDRAILS_FILE); each names the callers and APIs it applies to and the rules a change
// must keep. Checked on the desired integration before any AWS write; pure.
import * as Type from 'typebox';
import type { Static } from 'typebox';
import * as Value from 'typebox/value';
import type { FieldViolation } from './errors.js';
import { isCallerCredentialsArn } from './integration-rules.js';
import { parseLambdaInvocationUri } from './lambda-reference.js';
import { INTEGRATION_TYPES, TIMEOUT_MAX_MS, TIMEOUT_MIN_MS, type IntegrationFields } from './model.js';

/** The policy that applies when no configured policy names the caller and the API. */
export const DEFAULT_POLICY_NAME = 'default';
/** In `functionAccounts`: the account Gatewire runs in. */
export const OWN_ACCOUNT = 'self';

const Glob = (description: string) => Type.String({ minLength: 1, maxLength: 2048, description });

// One selector per entry: an object with exactly one of the three keys.
const CallerSchema = Type.Object(
  {
    apiKey: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'An API key by its name (GATEWIRE_API_KEYS).' })),
    jwtScope: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: "A value of the JWT's scope claim." })),
    iamPrincipal: Type.Optional(Glob('An IAM principal ARN; * and ? match as in IAM.')),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1 },
);

const RulesSchema = Type.Object(
  {
    functionArns: Type.Optional(Type.Array(Glob('A Lambda function ARN pattern (* and ?, as in IAM).'), { maxItems: 100 })),
    functionAccounts: Type.Optional(
      Type.Array(Type.String({ pattern: '^(\\d{12}|self|\\*)$', description: 'An account id, `self` (the account Gatewire runs in) or `*` (any).' }), { maxItems: 100 }),
    ),
    executionRoles: Type.Optional(Type.Array(Glob('An IAM role ARN pattern for credentialsArn.'), { maxItems: 100 })),
    vpcLinks: Type.Optional(Type.Array(Glob('A VPC link id (or pattern).'), { maxItems: 100 })),
    httpHosts: Type.Optional(Type.Array(Glob('A host name pattern of HTTP integration URLs.'), { maxItems: 100 })),
    integrationTypes: Type.Optional(Type.Array(Type.Enum([...INTEGRATION_TYPES]), { maxItems: 5 })),
    timeoutInMillis: Type.Optional(
      Type.Object(
        {
          min: Type.Optional(Type.Integer({ minimum: TIMEOUT_MIN_MS, maximum: TIMEOUT_MAX_MS })),
          max: Type.Optional(Type.Integer({ minimum: TIMEOUT_MIN_MS, maximum: TIMEOUT_MAX_MS })),
        },
        { additionalProperties: false },
      ),
    ),
    permissionScopes: Type.Optional(Type.Array(Type.Enum(['api', 'route']), { minItems: 1, maxItems: 2 })),
  },
  { additionalProperties: false },
);

const PolicySchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' }),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    /** Omitted: every caller. */
    callers: Type.Optional(Type.Array(CallerSchema, { minItems: 1, maxItems: 100 })),
    /** API ids (or patterns); omitted: every API. */
    apis: Type.Optional(Type.Array(Glob('An API id or pattern.'), { minItems: 1, maxItems: 100 })),
    rules: RulesSchema,
  },
  { additionalProperties: false },
);

export const GuardrailDocumentSchema = Type.Object(
  { policies: Type.Array(PolicySchema, { maxItems: 200 }) },
  { additionalProperties: false },
);

export type GuardrailRules = Static<typeof RulesSchema>;
export type GuardrailPolicy = Static<typeof PolicySchema>;
export type GuardrailCaller = Static<typeof CallerSchema>;
export interface GuardrailDocument {
  policies: GuardrailPolicy[];
}

/**
 * The safe default: functions of Gatewire's own account only, no execution role, no VPC link;
 * any integration type, public HTTP host and timeout AWS accepts; either permission scope.
 */
export const DEFAULT_RULES: Required<GuardrailRules> = {
  functionArns: ['*'],
  functionAccounts: [OWN_ACCOUNT],
  executionRoles: [],
  vpcLinks: [],
  httpHosts: ['*'],
  integrationTypes: [...INTEGRATION_TYPES],
  timeoutInMillis: { min: TIMEOUT_MIN_MS, max: TIMEOUT_MAX_MS },
  permissionScopes: ['api', 'route'],
};

export const DEFAULT_POLICY: GuardrailPolicy = { name: DEFAULT_POLICY_NAME, rules: DEFAULT_RULES };

/**
 * Parses and checks a policy document. Throws one Error whose message names every bad rule by its
 * path (`/policies/0/rules/functionAccounts/1 …`).
 */
export function parseGuardrailDocument(text: string): GuardrailDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`is not JSON (${(error as Error).message})`, { cause: error });
  }
  // "schema is false" repeats, for each unknown key, the additionalProperties error of its object.
  const problems = [...Value.Errors(GuardrailDocumentSchema, value)].filter((entry) => entry.message !== 'schema is false').map((entry) => {
    const params = entry.params as Record<string, unknown> | undefined;
    const missing = params?.['requiredProperties'] ?? params?.['missingProperty'] ?? params?.['additionalProperties'] ?? params?.['additionalProperty'];
    const allowed = params?.['allowedValues'] as unknown[] | undefined;
    return `${entry.instancePath || '/'}${missing !== undefined ? ` (${String(missing)})` : ''} ${entry.message ?? 'is invalid'}${allowed ? ` (${allowed.join(', ')})` : ''}`;
  });
  if (problems.length === 0) {
    const document = value as GuardrailDocument;
    const seen = new Set<string>();
    document.policies.forEach((policy, index) => {
      if (seen.has(policy.name)) problems.push(`/policies/${index}/name "${policy.name}" is used by an earlier policy`);
      if (policy.name === DEFAULT_POLICY_NAME) problems.push(`/policies/${index}/name "${DEFAULT_POLICY_NAME}" is the built-in policy's name`);
      seen.add(policy.name);
      const range = policy.rules.timeoutInMillis;
      if (range?.min !== undefined && range.max !== undefined && range.min > range.max) {
        problems.push(`/policies/${index}/rules/timeoutInMillis min ${range.min} is above max ${range.max}`);
      }
    });
  }
  if (problems.length > 0) throw new Error(`has ${problems.length} bad rule(s): ${[...new Set(problems)].join('; ')}`);
  return value as GuardrailDocument;
}

/** Who asks, as far as the policies can tell: the actor and, for a JWT, its scope claim's values. */
export interface CallerIdentity {
  actor: { id: string; kind: string };
  tokenScopes?: readonly string[];
}

/** The first policy (in document order) naming the caller and the API; else the built-in default. */
export function selectPolicy(document: GuardrailDocument, caller: CallerIdentity, apiId: string): GuardrailPolicy {
  for (const policy of document.policies) {
    if (policy.apis && !policy.apis.some((pattern) => globMatch(pattern, apiId))) continue;
    if (policy.callers && !policy.callers.some((selector) => callerMatches(selector, caller))) continue;
    return policy;
  }
  return DEFAULT_POLICY;
}

function callerMatches(selector: GuardrailCaller, caller: CallerIdentity): boolean {
  if (selector.apiKey !== undefined) return caller.actor.kind === 'api-key' && caller.actor.id === selector.apiKey;
  if (selector.jwtScope !== undefined) return caller.actor.kind === 'jwt' && (caller.tokenScopes ?? []).includes(selector.jwtScope);
  return selector.iamPrincipal !== undefined && caller.actor.kind === 'iam' && globMatch(selector.iamPrincipal, caller.actor.id);
}

export interface GuardrailContext {
  /** The account Gatewire runs in (`self`). */
  ownAccount: string;
  /** GATEWIRE_PERMISSION_SCOPE: the scope of the invoke permissions Gatewire would grant. */
  permissionScope: 'api' | 'route';
  /** Where a field of the raw integration sits in the caller's request (e.g. `/backend/function`). */
  pathOf(field: GuardedField): string;
}

export type GuardedField = 'integrationType' | 'integrationUri' | 'credentialsArn' | 'connectionId' | 'timeoutInMillis';

/** A guardrail a change breaks: the rule, the policy, the field. */
export interface GuardrailViolation extends FieldViolation {
  rule: keyof GuardrailRules;
  policy: string;
}

/** Every rule of `policy` the integration breaks (empty: allowed). */
export function checkIntegration(policy: GuardrailPolicy, integration: Partial<IntegrationFields>, context: GuardrailContext): GuardrailViolation[] {
  const rules = { ...DEFAULT_RULES, ...policy.rules };
  const violations: GuardrailViolation[] = [];
  const deny = (rule: keyof GuardrailRules, field: GuardedField, message: string) =>
    violations.push({ rule, policy: policy.name, path: context.pathOf(field), message: `${message} (guardrail ${rule} of policy "${policy.name}")` });
  const type = integration.integrationType;
  if (type !== undefined && !rules.integrationTypes.includes(type)) {
    deny('integrationTypes', 'integrationType', `integration type ${type} is not allowed`);
  }
  const timeout = integration.timeoutInMillis;
  const min = rules.timeoutInMillis.min ?? TIMEOUT_MIN_MS;
  const max = rules.timeoutInMillis.max ?? TIMEOUT_MAX_MS;
  if (timeout !== undefined && (timeout < min || timeout > max)) {
    deny('timeoutInMillis', 'timeoutInMillis', `timeout ${timeout} ms is outside ${min}..${max} ms`);
  }
  const credentials = integration.credentialsArn;
  // The caller's own credentials (arn:aws:iam::*:user/*) are no role: nothing is exposed that the
  // WebSocket caller could not invoke itself.
  if (credentials && !isCallerCredentialsArn(credentials) && !rules.executionRoles.some((pattern) => globMatch(pattern, credentials))) {
    deny('executionRoles', 'credentialsArn', `execution role ${credentials} is not allowed`);
  }
  if (integration.connectionType === 'VPC_LINK' || integration.connectionId !== undefined) {
    const link = integration.connectionId ?? '';
    if (!rules.vpcLinks.some((pattern) => globMatch(pattern, link))) deny('vpcLinks', 'connectionId', `VPC link ${link || '(none)'} is not allowed`);
  }
  const uri = integration.integrationUri;
  if (uri !== undefined && (type === 'HTTP' || type === 'HTTP_PROXY')) {
    const host = hostOf(uri);
    if (host === undefined || !rules.httpHosts.some((pattern) => globMatch(pattern.toLowerCase(), host))) {
      deny('httpHosts', 'integrationUri', `HTTP host ${host ?? '(none)'} is not allowed`);
    }
  }
  const lambda = uri === undefined ? undefined : parseLambdaInvocationUri(uri);
  if (lambda) {
    const accounts = rules.functionAccounts.map((account) => (account === OWN_ACCOUNT ? context.ownAccount : account));
    if (!accounts.includes('*') && !accounts.includes(lambda.accountId)) {
      deny('functionAccounts', 'integrationUri', `functions of account ${lambda.accountId} are not allowed`);
    }
    if (!rules.functionArns.some((pattern) => globMatch(pattern, lambda.functionArn))) {
      deny('functionArns', 'integrationUri', `function ${lambda.functionArn} matches no allowed pattern`);
    }
    // Gatewire grants API Gateway the invoke right only without credentials (DESIGN §4).
    if (!credentials && !rules.permissionScopes.includes(context.permissionScope)) {
      deny('permissionScopes', 'integrationUri', `invoke permissions of scope "${context.permissionScope}" (GATEWIRE_PERMISSION_SCOPE) are not allowed`);
    }
  }
  return violations;
}

/**
 * The host of an HTTP integration URL, as written: a stage variable in it (`https://${stageVariables.host}/`)
 * stays literal, so only a pattern that matches the literal (`*`) allows it.
 */
function hostOf(uri: string): string | undefined {
  const authority = /^https?:\/\/([^/?#]*)/i.exec(uri)?.[1];
  if (authority === undefined) return undefined;
  const host = authority.replace(/^[^@]*@/, '').replace(/:\d+$/, '').toLowerCase();
  return host === '' ? undefined : host;
}

/** IAM-style wildcards: `*` any run of characters (also none), `?` one character; the rest literal. */
export function globMatch(pattern: string, value: string): boolean {
  let regex = globCache.get(pattern);
  if (!regex) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    regex = new RegExp(`^${source}$`, 's');
    if (globCache.size > 1000) globCache.clear();
    globCache.set(pattern, regex);
  }
  return regex.test(value);
}
const globCache = new Map<string, RegExp>();

/** The Lambda policy calls an assumed-role session needs (DESIGN §4: cross-account functions). */
export const SESSION_POLICY_ACTIONS = ['lambda:AddPermission', 'lambda:RemovePermission', 'lambda:GetPolicy'] as const;

/**
 * The session policy for a role Gatewire assumes in `account`: the policy calls only, on the
 * functions of that account some guardrail policy allows (each function ARN pattern, and its
 * qualified forms).
 */
export function sessionPolicyFor(document: GuardrailDocument, account: string, ownAccount: string | undefined): string {
  const resources = new Set<string>();
  for (const policy of [...document.policies, DEFAULT_POLICY]) {
    const rules = { ...DEFAULT_RULES, ...policy.rules };
    const accounts = rules.functionAccounts.map((entry) => (entry === OWN_ACCOUNT ? ownAccount : entry));
    if (!accounts.includes('*') && !accounts.includes(account)) continue;
    for (const pattern of rules.functionArns) {
      const resource = resourceInAccount(pattern, account);
      if (resource === undefined) continue;
      resources.add(resource);
      if (!resource.endsWith('*')) resources.add(`${resource}:*`);
    }
  }
  // No policy allows a function there: the session may still read policies (the permission
  // report), but write none.
  const statement =
    resources.size === 0
      ? { Effect: 'Allow', Action: ['lambda:GetPolicy'], Resource: [`arn:*:lambda:*:${account}:function:*`] }
      : { Effect: 'Allow', Action: [...SESSION_POLICY_ACTIONS], Resource: [...resources].sort() };
  return JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
}

/** A function ARN pattern narrowed to one account; undefined when it names another account. */
function resourceInAccount(pattern: string, account: string): string | undefined {
  const parts = pattern.split(':');
  // arn:partition:lambda:region:account:function:name[:qualifier]
  if (parts.length >= 7 && parts[0] === 'arn' && !parts.slice(0, 6).some((part) => part.includes('*') && part !== '*')) {
    if (parts[4] !== '*' && parts[4] !== account) return undefined;
    parts[4] = account;
    return parts.join(':');
  }
  // Anything less structured ("*", "*chat*"): IAM wants ARN-shaped resources, so the session
  // covers every function of the account, and Gatewire's own check narrows it per change.
  return `arn:*:lambda:*:${account}:function:*`;
}
