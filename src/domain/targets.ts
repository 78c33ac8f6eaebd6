// Targets (issue 19): an account and a region Gatewire manages, reached through a role it assumes.
// Configured as data (GATEWIRE_TARGETS or GATEWIRE_TARGETS_FILE); the account and region Gatewire
// runs with (its own credentials, AWS_REGION) are always the target named `default`, so that the
// paths without a target keep meaning what they meant. Pure: parsing and checks only.
import * as Type from 'typebox';
import type { Static } from 'typebox';
import * as Value from 'typebox/value';

/** The target of today's account and region: Gatewire's own credentials, no role. */
export const DEFAULT_TARGET = 'default';

/** A URL path segment as it stands: lower-case letters, digits and dashes. */
export const TARGET_NAME_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$';
const REGION_PATTERN = '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d$';
const ROLE_ARN = /^arn:aws[a-zA-Z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

const TargetSchema = Type.Object(
  {
    name: Type.String({ pattern: TARGET_NAME_PATTERN, description: 'How paths name the target: `/v1/targets/{name}/…`.' }),
    accountId: Type.String({ pattern: '^\\d{12}$' }),
    region: Type.String({ pattern: REGION_PATTERN }),
    roleArn: Type.String({ minLength: 20, maxLength: 2048, description: 'The role Gatewire assumes in the account.' }),
    // AssumeRole's ExternalId: 2 to 1224 characters of [\w+=,.@:/-].
    externalId: Type.Optional(Type.String({ pattern: '^[\\w+=,.@:/-]{2,1224}$' })),
    guardrailPolicies: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' }), {
        minItems: 1,
        maxItems: 100,
        description: 'Names of guardrail policies (GATEWIRE_GUARDRAILS) that apply in this target.',
      }),
    ),
  },
  { additionalProperties: false },
);

const TargetListSchema = Type.Array(TargetSchema, { maxItems: 500 });

export type ConfiguredTarget = Static<typeof TargetSchema>;

/**
 * A target as Gatewire uses it. The default target has no role (Gatewire's own credentials) and
 * its account may be unknown until STS says (GATEWIRE_ACCOUNT_ID unset).
 */
export interface Target {
  name: string;
  accountId: string | undefined;
  region: string;
  roleArn: string | undefined;
  externalId: string | undefined;
  guardrailPolicies: readonly string[] | undefined;
}

export interface DefaultTargetInput {
  accountId: string | undefined;
  region: string;
}

/**
 * Parses the JSON list of targets. Throws one Error naming every problem by its path (`/1/roleArn
 * …`), a duplicate name or account-and-region, a role outside its account, or an unknown policy.
 */
export function parseTargets(
  text: string,
  options: { guardrailPolicyNames: readonly string[]; defaultTarget?: DefaultTargetInput },
): ConfiguredTarget[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`is not JSON (${(error as Error).message})`);
  }
  if (!Value.Check(TargetListSchema, data)) {
    const problems = [...Value.Errors(TargetListSchema, data)].slice(0, 10).map((error) => `${error.instancePath || '/'} ${error.message}`);
    throw new Error(`is not a list of targets: ${problems.join('; ')}`);
  }
  const problems: string[] = [];
  const names = new Set<string>();
  const places = new Map<string, string>();
  // The default target's place, when known: a target there would split one account's budget and locks in two.
  const home = options.defaultTarget;
  if (home?.accountId !== undefined) places.set(`${home.accountId}/${home.region}`, DEFAULT_TARGET);
  const known = new Set(options.guardrailPolicyNames);
  data.forEach((target, index) => {
    const at = `/${index}`;
    if (target.name === DEFAULT_TARGET) problems.push(`${at}/name "${DEFAULT_TARGET}" is the account and region Gatewire runs with; pick another name`);
    if (names.has(target.name)) problems.push(`${at}/name "${target.name}" is listed twice`);
    names.add(target.name);
    const place = `${target.accountId}/${target.region}`;
    const other = places.get(place);
    if (other !== undefined) problems.push(`${at} account ${target.accountId} in ${target.region} is already target "${other}"`);
    places.set(place, target.name);
    const role = ROLE_ARN.exec(target.roleArn);
    if (!role) problems.push(`${at}/roleArn is not arn:aws:iam::accountId:role/name`);
    else if (role[1] !== target.accountId) problems.push(`${at}/roleArn is not in account ${target.accountId}`);
    for (const policy of target.guardrailPolicies ?? []) {
      if (!known.has(policy)) problems.push(`${at}/guardrailPolicies names "${policy}", which the guardrails do not define`);
    }
  });
  if (problems.length > 0) throw new Error(problems.join('; '));
  return data;
}

/**
 * The guardrails that apply in a target: the policies it names, in document order (the first that
 * names the caller and the API applies, else the built-in default); naming none: the whole document.
 */
export function targetGuardrails<D extends { policies: readonly { name: string }[] }>(document: D, names: readonly string[] | undefined): D {
  if (names === undefined) return document;
  return { ...document, policies: document.policies.filter((policy) => names.includes(policy.name)) };
}

/** Every target: the default one (today's account and region) first, then the configured ones. */
export function targetsOf(configured: readonly ConfiguredTarget[], defaults: DefaultTargetInput): Target[] {
  return [
    { name: DEFAULT_TARGET, accountId: defaults.accountId, region: defaults.region, roleArn: undefined, externalId: undefined, guardrailPolicies: undefined },
    ...configured.map((target) => ({
      name: target.name,
      accountId: target.accountId,
      region: target.region,
      roleArn: target.roleArn,
      externalId: target.externalId,
      guardrailPolicies: target.guardrailPolicies,
    })),
  ];
}
