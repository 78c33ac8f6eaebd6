// LambdaPort over the SDK's LambdaClient: function ARNs, and the function-policy calls of permission
// reconciliation (reference §4). Policy writes on a function in another account go through a client
// that acts with the role configured for that account (AddPermission cannot be delegated).
// The SDK's Lambda package is imported with the first call (issue 15: not at a cold start).
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { conflict, DomainError, isDomainError } from '../domain/errors.js';
import { isSameStatement, parsePolicy, qualifiedArn } from '../domain/policy-statements.js';
import type { AddPermissionInput, FunctionPolicy, LambdaPort } from '../services/ports.js';
import { createAssumeRoleCredentialProvider } from './account-credentials.js';
import type { LazyClient } from './clients.js';
import { DEFAULT_CONFLICT_RETRY, sendWithConflictRetry, type ConflictRetryPolicy } from './send.js';
import type { StsPort } from './sts.js';

export interface LambdaAdapterOptions {
  /** GATEWIRE_ACCOUNT_ID; when absent, STS GetCallerIdentity tells (once). */
  accountId?: string;
  sts?: StsPort;
  /** GATEWIRE_CROSS_ACCOUNT_ROLES (and the fleet's target roles): function account -> role to assume there. */
  crossAccountRoles?: Readonly<Record<string, string>>;
  /** Function account -> the sts:ExternalId its role requires (a target's, issue 19). */
  externalIds?: Readonly<Record<string, string>>;
  /**
   * The session policy for the role assumed in a function account (DESIGN §4a): only the policy
   * calls on the functions the guardrails allow there; undefined: the role's own permissions.
   */
  sessionPolicyFor?: (account: string) => string | undefined;
  /** Builds a Lambda client acting with other credentials (AwsClients.lambdaWithCredentials). */
  clientWithCredentials?: (credentials: AwsCredentialIdentityProvider) => LazyClient<LambdaClient>;
  /** How often a revision mismatch or a vanished statement is retried after a fresh read (default 4). */
  revisionAttempts?: number;
  conflictRetry?: ConflictRetryPolicy;
  now?: () => number;
}

type LambdaSdk = typeof import('./lambda-sdk.js');
const lambdaSdk = (): Promise<LambdaSdk> => import('./lambda-sdk.js');

export function createLambdaAdapter(client: LazyClient<LambdaClient>, options: LambdaAdapterOptions = {}): LambdaPort {
  const roles = options.crossAccountRoles ?? {};
  const conflictRetry = options.conflictRetry ?? DEFAULT_CONFLICT_RETRY;
  const revisionAttempts = options.revisionAttempts ?? 4;
  const accountClients = new Map<string, LazyClient<LambdaClient>>();
  let ownAccount: Promise<string> | undefined;

  /** `command` builds the command from the SDK's package, imported with the client. */
  const send = <T>(target: LazyClient<LambdaClient>, command: (sdk: LambdaSdk) => object, policy = conflictRetry): Promise<T> =>
    sendWithConflictRetry(async () => {
      const [built, sdk] = await Promise.all([target.use(), lambdaSdk()]);
      return (await built.send(command(sdk) as never)) as T;
    }, policy);

  function accountId(): Promise<string> {
    if (options.accountId !== undefined) return Promise.resolve(options.accountId);
    if (!options.sts) {
      return Promise.reject(new DomainError('upstream', 'The AWS account is unknown: set GATEWIRE_ACCOUNT_ID or give the adapter STS'));
    }
    const sts = options.sts;
    ownAccount ??= sts.callerIdentity().then(
      (identity) => identity.account,
      (error: unknown) => {
        ownAccount = undefined; // a failed look-up is not memoized
        throw error;
      },
    );
    return ownAccount;
  }

  /** The client that acts in the function's account: the assumed role's when one is configured. */
  function clientFor(functionArn: string): LazyClient<LambdaClient> {
    const account = functionArn.split(':')[4] ?? '';
    const roleArn = roles[account];
    if (roleArn === undefined || !options.sts || !options.clientWithCredentials) return client;
    let accountClient = accountClients.get(account);
    if (!accountClient) {
      const policy = options.sessionPolicyFor?.(account);
      const externalId = options.externalIds?.[account];
      const credentials = createAssumeRoleCredentialProvider({
        roleArn,
        sts: options.sts,
        ...(policy !== undefined ? { policy } : {}),
        ...(externalId !== undefined ? { externalId } : {}),
        ...(options.now ? { now: options.now } : {}),
      });
      accountClient = options.clientWithCredentials(credentials);
      accountClients.set(account, accountClient);
    }
    return accountClient;
  }

  async function getPolicy(functionArn: string, qualifier?: string): Promise<FunctionPolicy | undefined> {
    try {
      const output = await send<{ Policy?: string; RevisionId?: string }>(
        clientFor(functionArn),
        (sdk) => new sdk.GetPolicyCommand({ FunctionName: functionArn, ...(qualifier !== undefined ? { Qualifier: qualifier } : {}) }),
      );
      return { statements: output.Policy ? parsePolicy(output.Policy) : [], revisionId: output.RevisionId ?? '' };
    } catch (error) {
      // "No policy" and "no such function" share ResourceNotFoundException; only the first is empty.
      if (isNotFound(error) && !/function not found|cannot find/i.test(error.message)) return undefined;
      throw error;
    }
  }

  return {
    async resolveFunctionArn(functionName, qualifier) {
      const output = await send<{ Configuration?: { FunctionArn?: string } }>(
        client,
        (sdk) => new sdk.GetFunctionCommand({ FunctionName: functionName, ...(qualifier ? { Qualifier: qualifier } : {}) }),
        DEFAULT_CONFLICT_RETRY,
      );
      const arn = output.Configuration?.FunctionArn;
      if (!arn) throw new DomainError('upstream', `Lambda returned no ARN for function ${functionName}`);
      // GetFunction answers with the qualified ARN when asked with a qualifier; build it from the
      // first seven ARN parts so that the result never depends on that.
      const unqualified = arn.split(':').slice(0, 7).join(':');
      return qualifier ? `${unqualified}:${qualifier}` : unqualified;
    },

    getPolicy,

    async addPermission(input: AddPermissionInput) {
      const { revisionId: firstRevision, ...statement } = input;
      const target = clientFor(input.functionName);
      const resource = qualifiedArn(input.functionName, input.qualifier);
      let revisionId = firstRevision;
      for (let attempt = 1; ; attempt++) {
        try {
          await send(
            target,
            (sdk) => new sdk.AddPermissionCommand({
              FunctionName: input.functionName,
              ...(input.qualifier !== undefined ? { Qualifier: input.qualifier } : {}),
              StatementId: input.statementId,
              Action: input.action,
              Principal: input.principal,
              ...(input.sourceArn !== undefined ? { SourceArn: input.sourceArn } : {}),
              ...(input.sourceAccount !== undefined ? { SourceAccount: input.sourceAccount } : {}),
              ...(revisionId !== undefined ? { RevisionId: revisionId } : {}),
            }),
          );
          return { outcome: 'added' };
        } catch (error) {
          const duplicate = isDuplicateSid(error);
          if (!duplicate && !isRevisionMismatch(error)) throw error;
          // Either way the truth is in a fresh read: maybe a concurrent writer added this very statement.
          const policy = await getPolicy(input.functionName, input.qualifier);
          const existing = policy?.statements.find((candidate) => candidate.Sid === input.statementId);
          if (existing) {
            if (isSameStatement(existing, statement)) return { outcome: 'already-present' };
            throw conflict(
              `The policy of ${resource} already has a statement ${input.statementId} that differs from the one Gatewire ` +
                'needs; it was left alone',
            );
          }
          if (attempt >= revisionAttempts) throw error;
          // The Sid is free again, or the revision moved on: write against the fresh revision.
          if (revisionId !== undefined) revisionId = policy?.revisionId;
        }
      }
    },

    async removePermission(functionArn, qualifier, statementId, removeOptions = {}) {
      const target = clientFor(functionArn);
      let revisionId = removeOptions.revisionId;
      for (let attempt = 1; ; attempt++) {
        try {
          await send(
            target,
            (sdk) => new sdk.RemovePermissionCommand({
              FunctionName: functionArn,
              StatementId: statementId,
              ...(qualifier !== undefined ? { Qualifier: qualifier } : {}),
              ...(revisionId !== undefined ? { RevisionId: revisionId } : {}),
            }),
          );
          return { outcome: 'removed' };
        } catch (error) {
          // No policy, no such statement, or no such function: the statement is not there.
          if (isNotFound(error)) return { outcome: 'absent' };
          if (!isRevisionMismatch(error) || attempt >= revisionAttempts) throw error;
          const policy = await getPolicy(functionArn, qualifier);
          if (!policy?.statements.some((statement) => statement.Sid === statementId)) return { outcome: 'absent' };
          revisionId = policy.revisionId;
        }
      }
    },

    accountId,

    async canManage(account) {
      if (roles[account] !== undefined && options.sts && options.clientWithCredentials) return true;
      return account === (await accountId());
    },
  };
}

function isNotFound(error: unknown): error is DomainError {
  return isDomainError(error) && error.aws?.error === 'ResourceNotFoundException';
}

function isDuplicateSid(error: unknown): boolean {
  return isDomainError(error) && error.aws?.error === 'ResourceConflictException' && /already exists/i.test(error.message);
}

function isRevisionMismatch(error: unknown): boolean {
  return isDomainError(error) && error.aws?.error === 'PreconditionFailedException';
}
