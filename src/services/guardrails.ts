// Guardrails at validation (DESIGN §4a): before a change reads or writes anything in AWS, the
// policy that applies to the caller and the API checks the integration it asks for. A denial is
// a 403 naming each rule, policy and field; an allowed change names its policy in the record.
import { DomainError, type FieldViolation } from '../domain/errors.js';
import {
  checkIntegration,
  DEFAULT_RULES,
  OWN_ACCOUNT,
  selectPolicy,
  type GuardedField,
  type GuardrailDocument,
  type GuardrailViolation,
} from '../domain/guardrails.js';
import type { RouteIntegrationIntent } from '../domain/intent.js';
import type { IntegrationFields } from '../domain/model.js';
import type { ChangeContext } from './change-runner.js';

export interface GuardrailsDeps {
  document: GuardrailDocument;
  permissionScope: 'api' | 'route';
  /** The account Gatewire runs in (GATEWIRE_ACCOUNT_ID, else STS once); asked only for Lambda URIs. */
  ownAccount(): Promise<string>;
}

/** One integration a change asks for, and where its fields sit in the request. */
export interface GuardedIntegration {
  integration: Partial<IntegrationFields>;
  pathOf(field: GuardedField): string;
}

export function createGuardrails(deps: GuardrailsDeps) {
  return {
    /** The name of the policy that allows every integration; throws a 403 naming every rule broken. */
    async check(apiId: string, context: Pick<ChangeContext, 'actor' | 'tokenScopes'>, items: readonly GuardedIntegration[]): Promise<string> {
      const policy = selectPolicy(
        deps.document,
        { actor: context.actor, ...(context.tokenScopes ? { tokenScopes: context.tokenScopes } : {}) },
        apiId,
      );
      // Only a rule that names `self` needs to know the account (GATEWIRE_ACCOUNT_ID, else one STS call).
      const needsAccount =
        (policy.rules.functionAccounts ?? DEFAULT_RULES.functionAccounts).includes(OWN_ACCOUNT) &&
        items.some(({ integration }) => integration.integrationUri?.includes(':lambda:path/') === true);
      const ownAccount = needsAccount ? await deps.ownAccount() : '';
      const violations = items.flatMap(({ integration, pathOf }) =>
        checkIntegration(policy, integration, { ownAccount, permissionScope: deps.permissionScope, pathOf }),
      );
      if (violations.length > 0) throw guardrailDenied(violations);
      return policy.name;
    },
  };
}

export type Guardrails = ReturnType<typeof createGuardrails>;

/** Every guardrail broken, as one 403 (problem+json `errors[]`: path, message, rule, policy). */
export function guardrailDenied(violations: GuardrailViolation[]): DomainError {
  const entries: FieldViolation[] = violations.map(({ path, message, rule, policy }) => ({ path, message, rule, policy }));
  const detail = `Denied by guardrail policy "${violations[0]!.policy}": ${violations.map((v) => `${v.rule} at ${v.path}`).join('; ')}`;
  return new DomainError('forbidden', detail, { violations: entries });
}

/** Where each guarded field of the raw integration comes from in an intent (under `prefix`). */
export function intentPaths(intent: RouteIntegrationIntent, prefix = ''): (field: GuardedField) => string {
  const backend = intent.backend;
  return (field) => {
    switch (field) {
      case 'integrationType':
        return `${prefix}/backend/type`;
      case 'integrationUri':
        return `${prefix}/backend/${backend.type === 'lambda' ? 'function' : backend.type === 'aws' ? 'uri' : 'url'}`;
      case 'credentialsArn':
        return `${prefix}/backend/${'invokeWithCallerCredentials' in backend && backend.invokeWithCallerCredentials ? 'invokeWithCallerCredentials' : 'executionRoleArn'}`;
      case 'connectionId':
        return `${prefix}/backend/vpcLinkId`;
      case 'timeoutInMillis':
        return `${prefix}/timeoutInMillis`;
    }
  };
}

/** The raw form: each field is where it is. */
export function rawPaths(field: GuardedField): string {
  return `/${field}`;
}
