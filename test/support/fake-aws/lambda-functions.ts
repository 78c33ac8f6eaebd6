// The Lambda functions the fake knows, and how a FunctionName in any of its forms (reference §4:
// name, name:qualifier, partial ARN, full ARN) resolves to one function and qualifier.
import { lambdaError, lambdaInvalidParameter, lambdaNotFound } from './errors.js';

export interface LambdaFunction {
  name: string;
  accountId: string;
  /** Unqualified ARN. */
  arn: string;
  versions: string[];
  /** alias name -> version it points to */
  aliases: Map<string, string>;
  lastModified: string;
}

export interface ResolvedFunction {
  fn: LambdaFunction;
  /** undefined for the unqualified function. */
  qualifier: string | undefined;
  /** The function ARN, with `:qualifier` when there is one: the policy's Resource (§4). */
  resourceArn: string;
}

/** The FunctionName pattern from the Lambda model (group 3 region, 5 account, 7 name, 9 qualifier). */
const FUNCTION_NAME = /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;

export class LambdaFunctions {
  /**
   * @param accountId the account a bare function name means: the caller's (scopes.ts).
   * @param functions `${accountId}:${name}` -> function; shared by every account's view of a region.
   */
  constructor(
    readonly region: string,
    readonly accountId: string,
    private readonly functions = new Map<string, LambdaFunction>(),
  ) {}

  seed(input: { name: string; accountId?: string; aliases?: string[]; versions?: string[] }): LambdaFunction {
    const accountId = input.accountId ?? this.accountId;
    const versions = [...(input.versions ?? [])];
    // Aliases point at the newest seeded version, or at $LATEST when none was published.
    const aliasTarget = versions.at(-1) ?? '$LATEST';
    const fn: LambdaFunction = {
      name: input.name,
      accountId,
      arn: `arn:aws:lambda:${this.region}:${accountId}:function:${input.name}`,
      versions,
      aliases: new Map((input.aliases ?? []).map((alias) => [alias, aliasTarget])),
      lastModified: new Date().toISOString().replace('Z', '+0000'),
    };
    this.functions.set(`${accountId}:${input.name}`, fn);
    return fn;
  }

  /** Deletes the function (as DeleteFunction would, outside whatever is under test). */
  remove(name: string, accountId = this.accountId): void {
    this.functions.delete(`${accountId}:${name}`);
  }

  all(): LambdaFunction[] {
    return [...this.functions.values()];
  }

  /** Resolves `functionName` (+ the `Qualifier` query parameter) or throws the AWS error Lambda sends. */
  resolve(functionName: string, qualifierParam?: string): ResolvedFunction {
    const match = FUNCTION_NAME.exec(functionName);
    if (!match?.[7] || functionName.length > 256) {
      throw lambdaInvalidParameter(`1 validation error detected: Value '${functionName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME.source}`);
    }
    const region = match[3]?.slice(0, -1) ?? this.region;
    const accountId = match[5]?.slice(0, -1) ?? this.accountId;
    const name = match[7];
    const derivedQualifier = match[9];
    if (derivedQualifier !== undefined && qualifierParam !== undefined && derivedQualifier !== qualifierParam) {
      throw lambdaInvalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    const qualifier = derivedQualifier ?? qualifierParam;
    const unqualifiedArn = `arn:aws:lambda:${region}:${accountId}:function:${name}`;
    const resourceArn = qualifier === undefined ? unqualifiedArn : `${unqualifiedArn}:${qualifier}`;
    const fn = region === this.region ? this.functions.get(`${accountId}:${name}`) : undefined;
    if (!fn) throw lambdaNotFound(`Function not found: ${resourceArn}`);
    if (qualifier !== undefined && qualifier !== '$LATEST' && !fn.versions.includes(qualifier) && !fn.aliases.has(qualifier)) {
      throw lambdaNotFound(`Function not found: ${resourceArn}`);
    }
    return { fn, qualifier, resourceArn };
  }

  /** The version a qualifier runs: itself for a version, the target for an alias, $LATEST otherwise. */
  versionOf(resolved: ResolvedFunction): string {
    const { fn, qualifier } = resolved;
    if (qualifier === undefined) return '$LATEST';
    return fn.aliases.get(qualifier) ?? qualifier;
  }
}

export function aliasNotFound(fn: LambdaFunction, alias: string): never {
  throw lambdaError(404, 'ResourceNotFoundException', `Cannot find alias arn: ${fn.arn}:${alias}`);
}
