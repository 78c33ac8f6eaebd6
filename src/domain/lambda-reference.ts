// Lambda function references as people write them (`name`, `name:alias`, `name:version`, partial
// or full ARN), and the function ARN and invocation URI API Gateway needs from them.
// Forms and limits: reference §4 (AddPermission FunctionName / Qualifier); URI shape: reference §5.

/**
 * AWS partitions. Wider than `aws | aws-cn | aws-us-gov` on purpose: mapping an ISO or European
 * Sovereign Cloud region to `aws` would build ARNs that silently point nowhere.
 */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov' | 'aws-iso' | 'aws-iso-b' | 'aws-iso-e' | 'aws-iso-f' | 'aws-eusc';

export interface FunctionReference {
  name: string;
  /** An alias, a version number or `$LATEST`. */
  qualifier?: string;
  accountId?: string;
  region?: string;
  partition?: string;
  /** True for a partial (`123456789012:function:name`) or full ARN. */
  isArn: boolean;
}

export type FunctionReferenceResult = { ok: true; ref: FunctionReference } | { ok: false; message: string };

export type QualifierKind = 'latest' | 'version' | 'alias';

export interface LambdaInvocationUri {
  /** The region of the API Gateway service in the URI (the API's region). */
  apiRegion: string;
  /** The function ARN embedded in the URI, qualified when the URI has a qualifier. */
  functionArn: string;
  /** The function name; may be or contain a stage variable. */
  name: string;
  /** The alias or version; may be or contain a stage variable. */
  qualifier?: string;
  accountId: string;
  /** The function's region. */
  region: string;
  /** True when the name or the qualifier uses `${stageVariables.x}` (reference §5). */
  usesStageVariables: boolean;
}

export const FUNCTION_NAME_MAX_LENGTH = 64;
export const QUALIFIER_MAX_LENGTH = 128;
export const LATEST_QUALIFIER = '$LATEST';

/** `${stageVariables.name}`; stage variable names are letters, digits and underscores (reference §5). */
export const STAGE_VARIABLE_SOURCE = String.raw`\$\{stageVariables\.[A-Za-z0-9_]+\}`;
const STAGE_VARIABLE = new RegExp(STAGE_VARIABLE_SOURCE);

const NAME_CHARS = /^[a-zA-Z0-9_-]+$/;
// An alias and a version share one alphabet: all digits is a version, anything else an alias.
const QUALIFIER_CHARS = /^[a-zA-Z0-9_-]+$/;
const ACCOUNT_ID = /^\d{12}$/;
// Lambda's own FunctionName pattern: `arn:(aws[a-zA-Z-]*)?:lambda:` and `(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}`.
const PARTITION = /^aws[a-zA-Z-]*$/;
const REGION = /^(?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/;

const KNOWN_PARTITIONS: readonly string[] = [
  'aws',
  'aws-cn',
  'aws-us-gov',
  'aws-iso',
  'aws-iso-b',
  'aws-iso-e',
  'aws-iso-f',
  'aws-eusc',
];

const EXPECTED_FORMS =
  'must be a function name, name:alias, name:version, a partial ARN (123456789012:function:name) ' +
  'or a function ARN (arn:aws:lambda:us-east-1:123456789012:function:name)';

export function containsStageVariable(value: string): boolean {
  return STAGE_VARIABLE.test(value);
}

/** The partition a region belongs to; unknown regions are taken to be in `aws`. */
export function partitionOfRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  const iso = /^[a-z]{2}-iso([a-z]?)-/.exec(region);
  if (iso) {
    const letter = iso[1];
    if (letter === '') return 'aws-iso';
    if (letter === 'b' || letter === 'e' || letter === 'f') return `aws-iso-${letter}`;
  }
  return 'aws';
}

export function qualifierKind(qualifier: string): QualifierKind {
  if (qualifier === LATEST_QUALIFIER) return 'latest';
  return /^\d+$/.test(qualifier) ? 'version' : 'alias';
}

export function parseFunctionReference(input: string): FunctionReferenceResult {
  if (input.length === 0) return fail('must not be empty');
  if (containsStageVariable(input)) {
    return fail(
      'must name one function: stage variables in a function reference are accepted only in the raw ' +
        'integration form (integrationUri)',
    );
  }
  const parts = input.split(':');
  if (parts[0] === 'arn') return parseFullArn(input, parts);
  if (parts.length >= 3 && parts[1] === 'function') return parsePartialArn(input, parts);
  if (parts.length === 1) return withNameAndQualifier({ isArn: false }, parts[0]!, undefined);
  if (parts.length === 2) return withNameAndQualifier({ isArn: false }, parts[0]!, parts[1]);
  return fail(`"${input}" ${EXPECTED_FORMS}`);
}

/** The function's ARN, with the reference's own account and region or else the defaults. */
export function functionArn(ref: FunctionReference, defaults: { region: string; accountId: string }): string {
  const region = ref.region ?? defaults.region;
  const partition = ref.partition ?? partitionOfRegion(region);
  const accountId = ref.accountId ?? defaults.accountId;
  const qualifier = ref.qualifier === undefined ? '' : `:${ref.qualifier}`;
  return `arn:${partition}:lambda:${region}:${accountId}:function:${ref.name}${qualifier}`;
}

/**
 * Always the full invocation form: a bare function ARN is reported to work but breaks the console
 * (reference §5, aws/aws-cdk#13679).
 */
export function lambdaInvocationUri(apiRegion: string, functionArn: string): string {
  return `arn:${partitionOfRegion(apiRegion)}:apigateway:${apiRegion}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;
}

// A name or qualifier segment: its own characters, stage variables, or a mix of both.
const SEGMENT = String.raw`(?:[a-zA-Z0-9_-]|${STAGE_VARIABLE_SOURCE})+`;
const LAMBDA_INVOCATION_URI = new RegExp(
  String.raw`^arn:aws[a-zA-Z-]*:apigateway:([a-z0-9-]+):lambda:path/2015-03-31/functions/` +
    String.raw`(arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:(${SEGMENT})(?::(\$LATEST|${SEGMENT}))?)` +
    '/invocations$',
);

/** The parts of a Lambda invocation URI, or undefined when `uri` is not one. */
export function parseLambdaInvocationUri(uri: string): LambdaInvocationUri | undefined {
  // Permission planning parses every integration's URI several times per change; URIs repeat.
  if (!parsedUris.has(uri)) {
    if (parsedUris.size >= PARSED_URI_CACHE_SIZE) parsedUris.clear();
    parsedUris.set(uri, parseUri(uri));
  }
  const parsed = parsedUris.get(uri);
  return parsed ? { ...parsed } : undefined;
}

const PARSED_URI_CACHE_SIZE = 2048;
const parsedUris = new Map<string, LambdaInvocationUri | undefined>();

function parseUri(uri: string): LambdaInvocationUri | undefined {
  const match = LAMBDA_INVOCATION_URI.exec(uri);
  if (!match) return undefined;
  const [, apiRegion, arn, region, accountId, name, qualifier] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  const parsed: LambdaInvocationUri = {
    apiRegion,
    functionArn: arn,
    name,
    accountId,
    region,
    usesStageVariables: containsStageVariable(arn),
  };
  if (qualifier !== undefined) parsed.qualifier = qualifier;
  return parsed;
}

function parseFullArn(input: string, parts: string[]): FunctionReferenceResult {
  // arn:{partition}:lambda:{region}:{account}:function:{name}[:{qualifier}]
  const [, partition, service, region, accountId, resourceType, name, qualifier] = parts;
  if (parts.length < 7 || parts.length > 8 || service !== 'lambda' || resourceType !== 'function') {
    return fail(`"${input}" is not a Lambda function ARN (arn:aws:lambda:{region}:{account}:function:{name}[:{qualifier}])`);
  }
  if (!PARTITION.test(partition!)) return fail(`partition "${partition}" in "${input}" is not an AWS partition`);
  if (!REGION.test(region!)) return fail(`region "${region}" in "${input}" is not an AWS region`);
  if (KNOWN_PARTITIONS.includes(partition!) && partitionOfRegion(region!) !== partition) {
    return fail(`region ${region} belongs to partition ${partitionOfRegion(region!)}, not ${partition}`);
  }
  if (!ACCOUNT_ID.test(accountId!)) return fail(`account "${accountId}" in "${input}" must be 12 digits`);
  return withNameAndQualifier({ isArn: true, partition: partition!, region: region!, accountId: accountId! }, name!, qualifier);
}

function parsePartialArn(input: string, parts: string[]): FunctionReferenceResult {
  // {account}:function:{name}[:{qualifier}]
  const [accountId, , name, qualifier] = parts;
  if (parts.length > 4) return fail(`"${input}" ${EXPECTED_FORMS}`);
  if (!ACCOUNT_ID.test(accountId!)) return fail(`account "${accountId}" in "${input}" must be 12 digits`);
  return withNameAndQualifier({ isArn: true, accountId: accountId! }, name!, qualifier);
}

function withNameAndQualifier(
  base: Omit<FunctionReference, 'name'>,
  name: string,
  qualifier: string | undefined,
): FunctionReferenceResult {
  const nameProblem = functionNameProblem(name);
  if (nameProblem) return fail(nameProblem);
  if (qualifier === undefined) return { ok: true, ref: { ...base, name } };
  const qualifierProblemText = qualifierProblem(qualifier);
  if (qualifierProblemText) return fail(qualifierProblemText);
  return { ok: true, ref: { ...base, name, qualifier } };
}

function functionNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'function name must not be empty';
  if (name.length > FUNCTION_NAME_MAX_LENGTH || !NAME_CHARS.test(name)) {
    return `function name "${name}" must be 1 to ${FUNCTION_NAME_MAX_LENGTH} letters, digits, hyphens or underscores`;
  }
  return undefined;
}

function qualifierProblem(qualifier: string): string | undefined {
  if (qualifier === LATEST_QUALIFIER) return undefined;
  if (qualifier.length === 0) return 'qualifier after ":" must not be empty';
  if (qualifier.length > QUALIFIER_MAX_LENGTH || !QUALIFIER_CHARS.test(qualifier)) {
    return (
      `qualifier "${qualifier}" must be $LATEST, a version number or an alias of 1 to ${QUALIFIER_MAX_LENGTH} ` +
      'letters, digits, hyphens or underscores'
    );
  }
  return undefined;
}

function fail(message: string): FunctionReferenceResult {
  return { ok: false, message };
}
