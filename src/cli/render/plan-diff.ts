// A bulk apply's plan as people read it, like `terraform plan`: per route what is added (+),
// changed (~) or removed (-), field by field for updates, then the Lambda permission changes and
// the deployment. Pure: the route map's keys and the service's answer in, text out.
import type { BulkApplyChange, PlanStep } from '../../client/index.js';

/** Steps of the route at index N of the route map carry the id prefix `rN-` (the service's convention). */
const ROUTE_STEP = /^r(\d+)-/;
const PERMISSION_OPERATIONS = new Set(['AddPermission', 'RemovePermission']);
const OUTCOME_SIGN: Record<string, string> = { created: '+', updated: '~', removed: '-' };

export function renderPlan(apiId: string, change: BulkApplyChange): string {
  if (change.outcome === 'unchanged') {
    return [`No changes: API ${apiId} already matches the route map (${Object.keys(change.routes).length} routes).`, ...deploymentLines(change), ''].join('\n');
  }
  const routeKeys = Object.keys(change.routes);
  const byRoute = new Map<number, PlanStep[]>();
  const permissions: PlanStep[] = [];
  const others: PlanStep[] = [];
  for (const step of change.plan) {
    const index = ROUTE_STEP.exec(step.id)?.[1];
    if (index !== undefined) byRoute.set(Number(index), [...(byRoute.get(Number(index)) ?? []), step]);
    else if (PERMISSION_OPERATIONS.has(step.operation)) permissions.push(step);
    else if (step.operation !== 'CreateDeployment') others.push(step);
  }

  const lines = [`Gatewire will change API ${apiId} as follows (+ add, ~ change, - remove):`, '', 'Routes:'];
  routeKeys.forEach((routeKey, index) => {
    const { outcome, integrationId } = change.routes[routeKey]!;
    if (outcome === 'unchanged') return;
    lines.push(`  ${OUTCOME_SIGN[outcome]} ${routeKey}${integrationId ? `  (integration ${integrationId})` : ''}`);
    for (const step of byRoute.get(index) ?? []) lines.push(...stepLines(step, `${routeKey}: `, '      '));
  });
  if (others.length > 0) {
    lines.push('', 'Integrations:');
    for (const step of others) lines.push(...stepLines(step, '', '  '));
  }
  if (permissions.length > 0) {
    lines.push('', 'Lambda permissions:');
    for (const step of permissions) lines.push(...stepLines(step, '', '  '));
  }
  const deployment = deploymentLines(change);
  if (deployment.length > 0) lines.push('', 'Deployment:', ...deployment.map((line) => `  ${line}`));
  lines.push('', summary(change, permissions), '');
  return lines.join('\n');
}

/** One step: its sign and description, and for an update each field that changes (from its compensation, which restores the old values). */
function stepLines(step: PlanStep, routePrefix: string, indent: string): string[] {
  const description = step.description.startsWith(routePrefix) ? step.description.slice(routePrefix.length) : step.description;
  const lines = [`${indent}${signOf(step.operation)} ${description}`];
  if (step.compensation?.operation === step.operation) {
    const before = step.compensation.params;
    for (const key of Object.keys({ ...before, ...step.params })) {
      if (JSON.stringify(before[key]) === JSON.stringify(step.params[key])) continue;
      lines.push(`${indent}    ${key}: ${show(before[key])} -> ${show(step.params[key])}`);
    }
  } else if (CREATES_RESOURCE.test(step.operation)) {
    // Like a resource terraform adds: every attribute it is created with.
    for (const [key, value] of Object.entries(step.params)) if (key !== 'apiId') lines.push(`${indent}    ${key}: ${show(value)}`);
  }
  return lines;
}

/** API Gateway creates whose parameters are the new resource (not a permission or a deployment: their description says it all). */
const CREATES_RESOURCE = /^Create(Integration|Route|IntegrationResponse|RouteResponse)$/;

function signOf(operation: string): string {
  if (/^(Create|Add)/.test(operation)) return '+';
  if (/^(Delete|Remove)/.test(operation)) return '-';
  return '~';
}

function show(value: unknown): string {
  if (value === undefined || value === '') return '(none)';
  return JSON.stringify(value);
}

function deploymentLines(change: BulkApplyChange): string[] {
  const deployment = change.deployment;
  if (!deployment) return [];
  switch (deployment.status) {
    case 'planned':
      return [`+ deploy the API on stage ${deployment.stageName}`];
    case 'deployed':
      return [`deployed on stage ${deployment.stageName} (deployment ${deployment.deploymentId ?? 'unknown'})`];
    case 'auto-deploys':
      return [`stage ${deployment.stageName} deploys itself (autoDeploy): no deployment`];
    case 'not-needed':
      return [`nothing to deploy on stage ${deployment.stageName}`];
  }
}

function summary(change: BulkApplyChange, permissions: PlanStep[]): string {
  const count = (outcome: string) => Object.values(change.routes).filter((route) => route.outcome === outcome).length;
  const added = permissions.filter((step) => step.operation === 'AddPermission').length;
  const parts = [
    `Plan: ${count('created')} to add, ${count('updated')} to change, ${count('removed')} to remove, ${count('unchanged')} unchanged`,
    `permissions: ${added} to add, ${permissions.length - added} to remove`,
    change.deployment?.status === 'planned' ? `deploy stage ${change.deployment.stageName}` : undefined,
    `${change.plan.length} AWS calls`,
  ];
  return `${parts.filter(Boolean).join('; ')}.`;
}
