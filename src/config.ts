// Configuration from the environment (DESIGN §7), validated once at start-up. One error names
// every bad variable. Only the two entry points call loadConfig; everything else receives Config.
import * as Type from 'typebox';
import type { Static } from 'typebox';
import * as Value from 'typebox/value';
import { readFileSync } from 'node:fs';
import { parseApiKeys, parsePrincipals, parseTrustedApis, type AuthConfig } from './auth/credentials.js';
import type { RateLimit } from './aws/rate-limiter.js';
import { parseGuardrailDocument, sessionPolicyFor, type GuardrailDocument } from './domain/guardrails.js';
import { parseTargets, targetsOf, type Target } from './domain/targets.js';

/** AssumeRole's limit on an inline session policy (characters). */
const SESSION_POLICY_MAX_LENGTH = 2048;

/** The longest a caller may wait for a change (`Prefer: wait`): below the server's idle-socket timeout (app.ts). */
export const MAX_WAIT_MS = 50_000;

const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  AWS_REGION: Type.String({ pattern: '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d$', default: 'us-east-1' }),
  AWS_ENDPOINT_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  // The DynamoDB audit store's endpoint (dynalite, DynamoDB Local); else AWS_ENDPOINT_URL, else AWS's.
  AWS_ENDPOINT_URL_DYNAMODB: Type.Optional(Type.String({ pattern: '^https?://' })),
  GATEWIRE_AUDIT_URL: Type.String({ pattern: '^(sqlite:|postgres(ql)?://|dynamodb://)', default: 'sqlite:./data/audit.db' }),
  GATEWIRE_PERMISSION_SCOPE: Type.Enum(['api', 'route'], { default: 'api' }),
  GATEWIRE_ACCOUNT_ID: Type.Optional(Type.String({ pattern: '^\\d{12}$' })),
  GATEWIRE_CROSS_ACCOUNT_ROLES: Type.Optional(Type.String()),
  // Guardrails (README "Guardrails"): a policy document, inline or in a file; neither: the safe default.
  GATEWIRE_GUARDRAILS: Type.Optional(Type.String({ maxLength: 1_000_000 })),
  GATEWIRE_GUARDRAILS_FILE: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  // Targets (README "Targets"): other accounts and regions, a JSON list inline or in a file.
  GATEWIRE_TARGETS: Type.Optional(Type.String({ maxLength: 1_000_000 })),
  GATEWIRE_TARGETS_FILE: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  // How long GET /v1/targets reuses a target's reachability check.
  GATEWIRE_TARGET_CHECK_TTL_MS: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 30_000 }),
  GATEWIRE_AWS_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 10, default: 4 }),
  GATEWIRE_AWS_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 10_000 }),
  // Client-side pacing of AWS control-plane calls (reference §0.5, §0.8); 0 turns a limiter off.
  GATEWIRE_APIGATEWAY_RATE: Type.Number({ minimum: 0, maximum: 10_000, default: 10 }),
  GATEWIRE_APIGATEWAY_BURST: Type.Integer({ minimum: 1, maximum: 10_000, default: 40 }),
  GATEWIRE_LAMBDA_RATE: Type.Number({ minimum: 0, maximum: 10_000, default: 15 }),
  // One budget per account and region (issue 15, docs/decisions.md): instances sharing the audit
  // store divide the rates above among themselves, renewing their share every heartbeat.
  GATEWIRE_SHARED_BUDGET: Type.Enum(['on', 'off'], { default: 'on' }),
  GATEWIRE_BUDGET_HEARTBEAT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 1_000 }),
  // Reads (GET endpoints, drift) wait behind changes at most this long, else 503 with Retry-After.
  GATEWIRE_READ_WAIT_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 2_000 }),
  // How long a GET may reuse an AWS answer (with an Age header); 0: concurrent reads are still coalesced.
  GATEWIRE_READ_CACHE_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 2_000 }),
  GATEWIRE_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 10 * 1024 * 1024, default: 1024 * 1024 }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  // Caller credentials (README "Authentication"): hashed API keys, IAM principals (Lambda), JWTs.
  GATEWIRE_API_KEYS: Type.Optional(Type.String({ maxLength: 200_000 })),
  GATEWIRE_IAM_PRINCIPALS: Type.Optional(Type.String({ maxLength: 200_000 })),
  GATEWIRE_JWT_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  GATEWIRE_JWT_ISSUER: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  GATEWIRE_JWT_AUDIENCE: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  GATEWIRE_LAMBDA_TRUSTED_APIS: Type.Optional(Type.String({ maxLength: 20_000 })),
  GATEWIRE_JWT_SCOPE_CLAIM: Type.String({ pattern: '^[A-Za-z0-9_:./-]{1,128}$', default: 'scope' }),
  GATEWIRE_JWT_SCOPE_PREFIX: Type.String({ maxLength: 256, default: '' }),
  GATEWIRE_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 300 }),
  GATEWIRE_RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1_000, maximum: 3_600_000, default: 60_000 }),
  // deployStage: AWS allows one CreateDeployment per 5 s per account; tests make the gap small.
  GATEWIRE_DEPLOYMENT_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 5_000 }),
  // Idempotency-Key lifetime: at least a minute (a key must outlive its request), at most 30 days.
  GATEWIRE_IDEMPOTENCY_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 30 * 86_400, default: 86_400 }),
  // Durable changes (DESIGN §3). The wait bound stays below API Gateway's 29 s and the server's
  // socket timeouts (app.ts); a dead owner's change is final within lease + sweep interval + its undo.
  GATEWIRE_WAIT_MS: Type.Integer({ minimum: 0, maximum: MAX_WAIT_MS, default: 25_000 }),
  GATEWIRE_LEASE_MS: Type.Integer({ minimum: 1_000, maximum: 600_000, default: 8_000 }),
  GATEWIRE_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 2_000 }),
  GATEWIRE_CHANGE_DEADLINE_MS: Type.Integer({ minimum: 1_000, maximum: 24 * 3_600_000, default: 600_000 }),
  GATEWIRE_SHUTDOWN_DRAIN_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 15_000 }),
  // Bounded lock waits (DESIGN §3 step 5): how long a change waits for the one before it on the
  // same API, and how many may wait in one instance; beyond either, 409 with Retry-After.
  GATEWIRE_LOCK_WAIT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
  GATEWIRE_LOCK_MAX_WAITERS: Type.Integer({ minimum: 0, maximum: 10_000, default: 64 }),
});


type RawConfig = Static<typeof ConfigSchema>;

/** Which entry point runs the app: the container's server, or a Lambda function. */
export type Runtime = 'server' | 'lambda';

export interface Config {
  runtime: Runtime;
  port: number;
  host: string;
  region: string;
  awsEndpoint: string | undefined;
  /** Where the DynamoDB audit store sends its calls: AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL. */
  dynamoDbEndpoint: string | undefined;
  auditUrl: string;
  permissionScope: 'api' | 'route';
  /** The account Gatewire runs in; when unset, STS GetCallerIdentity says. */
  accountId: string | undefined;
  /** Function account -> role Gatewire assumes there to write function policies. */
  crossAccountRoles: Readonly<Record<string, string>>;
  /**
   * Who may wire what (DESIGN §4a): the policy document and where it came from (`default` when
   * none is configured: the built-in policy alone applies).
   */
  guardrails: { source: string; document: GuardrailDocument };
  /**
   * Every account and region Gatewire manages: `default` (the account and region it runs with)
   * first, then those of GATEWIRE_TARGETS(_FILE), each reached through its role.
   */
  targets: readonly Target[];
  /** How long a target's reachability (GET /v1/targets) is reused. */
  targetCheckTtlMs: number;
  awsMaxAttempts: number;
  awsTimeoutMs: number;
  /** Client-side limits for AWS control-plane calls, per instance; undefined when turned off. */
  awsRateLimits: { apiGateway: RateLimit | undefined; lambda: RateLimit | undefined };
  /**
   * The account's budget as the instances share it (issue 15): whether the rates above are divided
   * among the instances sharing the audit store, how often each renews its share, how long a read
   * may wait behind changes, and how long a GET may reuse an AWS answer.
   */
  awsBudget: { shared: boolean; heartbeatMs: number; readWaitMs: number; readCacheMs: number };
  bodyLimitBytes: number;
  logLevel: RawConfig['LOG_LEVEL'];
  /** Who may call Gatewire (src/auth/credentials.ts). Secrets are stored as hashes only. */
  auth: AuthConfig;
  /** Requests per caller (authenticated identity, else client IP) per window. */
  rateLimit: { max: number; windowMs: number };
  /** The gap this instance keeps between CreateDeployment calls (and waits after a 429 for one). */
  deploymentIntervalMs: number;
  /** How long an Idempotency-Key is remembered after its first request. */
  idempotencyTtlSeconds: number;
  /** Durable changes (DESIGN §3): how long a caller waits by default, and how owners and recovery are timed. */
  changes: {
    waitMs: number;
    leaseMs: number;
    sweepIntervalMs: number;
    deadlineMs: number;
    /** SIGTERM: how long running changes may finish before they are handed over. */
    shutdownDrainMs: number;
  };
  /** Bounded waits for an API's lock: the longest wait, and how many may wait in one instance. */
  lock: { waitMs: number; maxWaiters: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadConfigOptions {
  /**
   * The entry point says which runtime it is (src/lambda.ts: 'lambda'). Otherwise it is Lambda
   * when the Lambda runtime's AWS_LAMBDA_FUNCTION_NAME is set (e.g. the server behind the Lambda
   * Web Adapter), since the same rules apply there.
   */
  runtime?: Runtime;
}

export function loadConfig(env: Record<string, string | undefined>, options: LoadConfigOptions = {}): Readonly<Config> {
  // Empty strings mean "unset" (as `FOO= npm start` does), so that defaults apply.
  const data = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const runtime: Runtime = options.runtime ?? (data['AWS_LAMBDA_FUNCTION_NAME'] === undefined ? 'server' : 'lambda');
  const runtimeProblems = runtimeProblemsOf(runtime, data);
  const parsed = parseEnvironment(data);
  if ('problems' in parsed) {
    throw new ConfigError(`Invalid configuration: ${[...parsed.problems, ...runtimeProblems].join('; ')}`);
  }
  const raw = parsed.raw;
  if (runtimeProblems.length > 0) throw new ConfigError(`Invalid configuration: ${runtimeProblems.join('; ')}`);
  const auth = authConfigOf(raw, runtime);
  let crossAccountRoles: Record<string, string>;
  try {
    crossAccountRoles = parseCrossAccountRoles(raw.GATEWIRE_CROSS_ACCOUNT_ROLES);
  } catch (error) {
    throw new ConfigError(`Invalid configuration: GATEWIRE_CROSS_ACCOUNT_ROLES ${(error as Error).message}`, { cause: error });
  }
  const guardrails = guardrailsOf(raw);
  // AWS refuses a session policy over 2,048 characters: better to say so at start than on a change.
  for (const account of Object.keys(crossAccountRoles)) {
    const length = sessionPolicyFor(guardrails.document, account, raw.GATEWIRE_ACCOUNT_ID).length;
    if (length > SESSION_POLICY_MAX_LENGTH) {
      throw new ConfigError(
        `Invalid configuration: the guardrails allow too many function patterns in account ${account}: its session policy would be ${length} characters, AWS accepts ${SESSION_POLICY_MAX_LENGTH} (use fewer, wider patterns)`,
      );
    }
  }
  const targets = targetsOf(configuredTargetsOf(raw, guardrails.document), { accountId: raw.GATEWIRE_ACCOUNT_ID, region: raw.AWS_REGION });
  return Object.freeze({
    runtime,
    port: raw.PORT,
    host: raw.HOST,
    region: raw.AWS_REGION,
    awsEndpoint: raw.AWS_ENDPOINT_URL,
    dynamoDbEndpoint: raw.AWS_ENDPOINT_URL_DYNAMODB ?? raw.AWS_ENDPOINT_URL,
    auditUrl: raw.GATEWIRE_AUDIT_URL,
    permissionScope: raw.GATEWIRE_PERMISSION_SCOPE,
    accountId: raw.GATEWIRE_ACCOUNT_ID,
    crossAccountRoles: Object.freeze(crossAccountRoles),
    guardrails,
    targets: Object.freeze(targets),
    targetCheckTtlMs: raw.GATEWIRE_TARGET_CHECK_TTL_MS,
    awsMaxAttempts: raw.GATEWIRE_AWS_MAX_ATTEMPTS,
    awsTimeoutMs: raw.GATEWIRE_AWS_TIMEOUT_MS,
    awsRateLimits: {
      apiGateway:
        raw.GATEWIRE_APIGATEWAY_RATE > 0 ? { perSecond: raw.GATEWIRE_APIGATEWAY_RATE, burst: raw.GATEWIRE_APIGATEWAY_BURST } : undefined,
      // Lambda documents no burst: one second's worth.
      lambda:
        raw.GATEWIRE_LAMBDA_RATE > 0 ? { perSecond: raw.GATEWIRE_LAMBDA_RATE, burst: Math.max(1, Math.floor(raw.GATEWIRE_LAMBDA_RATE)) } : undefined,
    },
    awsBudget: {
      shared: raw.GATEWIRE_SHARED_BUDGET === 'on',
      heartbeatMs: raw.GATEWIRE_BUDGET_HEARTBEAT_MS,
      readWaitMs: raw.GATEWIRE_READ_WAIT_MS,
      readCacheMs: raw.GATEWIRE_READ_CACHE_MS,
    },
    bodyLimitBytes: raw.GATEWIRE_BODY_LIMIT_BYTES,
    logLevel: raw.LOG_LEVEL,
    auth,
    rateLimit: { max: raw.GATEWIRE_RATE_LIMIT_MAX, windowMs: raw.GATEWIRE_RATE_LIMIT_WINDOW_MS },
    deploymentIntervalMs: raw.GATEWIRE_DEPLOYMENT_INTERVAL_MS,
    idempotencyTtlSeconds: raw.GATEWIRE_IDEMPOTENCY_TTL_SECONDS,
    changes: Object.freeze({
      waitMs: raw.GATEWIRE_WAIT_MS,
      leaseMs: raw.GATEWIRE_LEASE_MS,
      sweepIntervalMs: raw.GATEWIRE_SWEEP_INTERVAL_MS,
      deadlineMs: raw.GATEWIRE_CHANGE_DEADLINE_MS,
      shutdownDrainMs: raw.GATEWIRE_SHUTDOWN_DRAIN_MS,
    }),
    lock: Object.freeze({ waitMs: raw.GATEWIRE_LOCK_WAIT_MS, maxWaiters: raw.GATEWIRE_LOCK_MAX_WAITERS }),
  });
}

/**
 * Defaults, then text to numbers and booleans, unknown variables dropped, then every rule checked
 * at once. TypeBox's Value does what env-schema did with an Ajv instance of its own, whose
 * construction and meta-schema compilation cost every cold start about 50 ms.
 */
function parseEnvironment(data: Record<string, unknown>): { raw: RawConfig } | { problems: string[] } {
  const value = Value.Clean(ConfigSchema, Value.Convert(ConfigSchema, Value.Default(ConfigSchema, Value.Clone(data))));
  if (Value.Check(ConfigSchema, value)) return { raw: value as RawConfig };
  const problems = [...Value.Errors(ConfigSchema, value)].map((entry) => {
    const params = entry.params as Record<string, unknown> | undefined;
    const missing = params?.['requiredProperties'] ?? params?.['missingProperty'];
    const variable = entry.instancePath.replace(/^\//, '') || String(missing ?? '');
    const allowed = params?.['allowedValues'] as unknown[] | undefined;
    return `${variable} ${entry.message ?? 'is invalid'}${allowed ? ` (${allowed.join(', ')})` : ''}`;
  });
  return { problems };
}

/**
 * Lambda mode needs a shared store, PostgreSQL or DynamoDB: a SQLite file in a Lambda's /tmp lives
 * and dies with one instance, and better-sqlite3 is not in the Lambda bundle (DESIGN §8).
 */
function runtimeProblemsOf(runtime: Runtime, data: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const jwksUrl = data['GATEWIRE_JWT_JWKS_URL'];
  if (typeof jwksUrl === 'string' && /^https?:\/\//.test(jwksUrl) && !isSecureOrLoopbackUrl(jwksUrl)) {
    // The key set decides whose tokens are believed: fetched over plain HTTP, anyone on the path
    // could serve their own keys. Loopback stays allowed (a local issuer, the tests).
    problems.push('GATEWIRE_JWT_JWKS_URL must be an https:// URL (http:// only for a loopback host)');
  }
  if (jwksUrl !== undefined) {
    for (const name of ['GATEWIRE_JWT_ISSUER', 'GATEWIRE_JWT_AUDIENCE']) {
      if (data[name] === undefined) problems.push(`${name} must be set when GATEWIRE_JWT_JWKS_URL is`);
    }
  }
  if (runtime !== 'lambda') return problems;
  // Identities from the event are believed only from the API Gateway APIs named here, and an API
  // Gateway JWT only for this service's audience, as bearer tokens are (issue 16 §6).
  const eventIdentities = ['GATEWIRE_IAM_PRINCIPALS', 'GATEWIRE_JWT_ISSUER'].filter((name) => data[name] !== undefined);
  if (eventIdentities.length > 0 && data['GATEWIRE_LAMBDA_TRUSTED_APIS'] === undefined) {
    problems.push(
      `GATEWIRE_LAMBDA_TRUSTED_APIS must be set on Lambda when ${eventIdentities.join(' or ')} is: the accountId:apiId of each API Gateway API whose callers are believed`,
    );
  }
  if (data['GATEWIRE_JWT_ISSUER'] !== undefined && data['GATEWIRE_JWT_AUDIENCE'] === undefined && data['GATEWIRE_JWT_JWKS_URL'] === undefined) {
    problems.push('GATEWIRE_JWT_AUDIENCE must be set on Lambda when GATEWIRE_JWT_ISSUER is: API Gateway JWT claims are checked for it');
  }
  const auditUrl = data['GATEWIRE_AUDIT_URL'];
  if (!(typeof auditUrl === 'string' && /^(postgres(ql)?|dynamodb):\/\//.test(auditUrl))) {
    problems.push(
      `GATEWIRE_AUDIT_URL must be a postgres:// or dynamodb:// URL on Lambda (${auditUrl === undefined ? 'it is not set' : 'it is neither'}): a SQLite file would live and die with one Lambda instance`,
    );
  }
  // No first-run key on Lambda: nobody could read it, and every instance would make its own.
  if (!CREDENTIAL_VARIABLES.some((name) => data[name] !== undefined)) {
    problems.push(`caller credentials are required on Lambda: set ${CREDENTIAL_VARIABLES.join(', ')} (see the README, Authentication)`);
  }
  return problems;
}

const CREDENTIAL_VARIABLES = ['GATEWIRE_IAM_PRINCIPALS', 'GATEWIRE_API_KEYS', 'GATEWIRE_JWT_JWKS_URL', 'GATEWIRE_JWT_ISSUER'];

/** The caller credentials; throws a ConfigError naming the variable and entry at fault. */
function authConfigOf(raw: RawConfig, runtime: Runtime): AuthConfig {
  const parse = <T>(name: string, parser: (value: string | undefined) => T): T => {
    try {
      return parser(raw[name as keyof RawConfig] as string | undefined);
    } catch (error) {
      throw new ConfigError(`Invalid configuration: ${name} ${(error as Error).message}`, { cause: error });
    }
  };
  const scopeClaim = raw.GATEWIRE_JWT_SCOPE_CLAIM;
  const scopePrefix = raw.GATEWIRE_JWT_SCOPE_PREFIX;
  return {
    apiKeys: Object.freeze(parse('GATEWIRE_API_KEYS', parseApiKeys)),
    iamPrincipals: Object.freeze(parse('GATEWIRE_IAM_PRINCIPALS', parsePrincipals)),
    jwt:
      raw.GATEWIRE_JWT_JWKS_URL && raw.GATEWIRE_JWT_ISSUER && raw.GATEWIRE_JWT_AUDIENCE
        ? { jwksUrl: raw.GATEWIRE_JWT_JWKS_URL, issuer: raw.GATEWIRE_JWT_ISSUER, audience: raw.GATEWIRE_JWT_AUDIENCE, scopeClaim, scopePrefix }
        : undefined,
    gatewayJwt:
      runtime === 'lambda' && raw.GATEWIRE_JWT_ISSUER && raw.GATEWIRE_JWT_AUDIENCE
        ? { issuer: raw.GATEWIRE_JWT_ISSUER, audience: raw.GATEWIRE_JWT_AUDIENCE, scopeClaim, scopePrefix }
        : undefined,
    trustedApis: Object.freeze(parse('GATEWIRE_LAMBDA_TRUSTED_APIS', parseTrustedApis)),
  };
}

/** An https:// URL, or an http:// one whose host is a loopback address. */
export function isSecureOrLoopbackUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && isLoopbackHost(url.hostname.replace(/^\[(.*)\]$/, '$1'));
}

/**
 * GATEWIRE_GUARDRAILS (the document itself) or GATEWIRE_GUARDRAILS_FILE (its path), not both. A bad
 * document stops the start: one ConfigError naming each bad rule by its path.
 */
function guardrailsOf(raw: RawConfig): Config['guardrails'] {
  const inline = raw.GATEWIRE_GUARDRAILS;
  const file = raw.GATEWIRE_GUARDRAILS_FILE;
  if (inline !== undefined && file !== undefined) {
    throw new ConfigError('Invalid configuration: set GATEWIRE_GUARDRAILS or GATEWIRE_GUARDRAILS_FILE, not both');
  }
  if (inline === undefined && file === undefined) return { source: 'default', document: { policies: [] } };
  const [variable, text] = inline !== undefined ? ['GATEWIRE_GUARDRAILS', inline] : ['GATEWIRE_GUARDRAILS_FILE', readGuardrailsFile(file!)];
  try {
    return { source: inline !== undefined ? variable : `file:${file}`, document: parseGuardrailDocument(text) };
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${variable}${file !== undefined ? ` (${file})` : ''} ${(error as Error).message}`, { cause: error });
  }
}

function readGuardrailsFile(path: string): string {
  return readConfigFile('GATEWIRE_GUARDRAILS_FILE', path);
}

function readConfigFile(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${variable} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
}

/**
 * GATEWIRE_TARGETS (the JSON list) or GATEWIRE_TARGETS_FILE (its path), not both, read as the
 * guardrails are; neither: only the default target. A bad list stops the start, naming each problem.
 */
function configuredTargetsOf(raw: RawConfig, guardrails: GuardrailDocument): ReturnType<typeof parseTargets> {
  const inline = raw.GATEWIRE_TARGETS;
  const file = raw.GATEWIRE_TARGETS_FILE;
  if (inline !== undefined && file !== undefined) {
    throw new ConfigError('Invalid configuration: set GATEWIRE_TARGETS or GATEWIRE_TARGETS_FILE, not both');
  }
  if (inline === undefined && file === undefined) return [];
  const [variable, text] = inline !== undefined ? ['GATEWIRE_TARGETS', inline] : ['GATEWIRE_TARGETS_FILE', readConfigFile('GATEWIRE_TARGETS_FILE', file!)];
  try {
    return parseTargets(text, {
      guardrailPolicyNames: guardrails.policies.map((policy) => policy.name),
      defaultTarget: { accountId: raw.GATEWIRE_ACCOUNT_ID, region: raw.AWS_REGION },
    });
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${variable}${file !== undefined ? ` (${file})` : ''} ${(error as Error).message}`, { cause: error });
  }
}

/** Loopback addresses: the only ones the server binds to without configured credentials. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * GATEWIRE_CROSS_ACCOUNT_ROLES: comma-separated `accountId=roleArn` pairs, each role in its own account.
 * Throws naming the first bad pair.
 */
export function parseCrossAccountRoles(value: string | undefined): Record<string, string> {
  const roles: Record<string, string> = {};
  for (const raw of (value ?? '').split(',')) {
    const pair = raw.trim();
    if (pair === '') continue;
    const match = /^(\d{12})=(arn:aws[a-zA-Z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512})$/.exec(pair);
    if (!match) throw new Error(`"${pair}" is not accountId=arn:aws:iam::accountId:role/name`);
    const [, accountId, roleArn, roleAccount] = match as unknown as [string, string, string, string];
    if (roleAccount !== accountId) throw new Error(`"${pair}": the role is not in account ${accountId}`);
    if (roles[accountId] !== undefined && roles[accountId] !== roleArn) throw new Error(`account ${accountId} is listed twice`);
    roles[accountId] = roleArn;
  }
  return roles;
}
