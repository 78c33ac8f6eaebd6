// GET /v1/apis/{apiId}/drift: the live API against what Gatewire last applied (DESIGN §2), the
// invoke permissions that are missing or stale, and the changes whose outcome is unknown (§3 end).
// Read-only: no lock, no audit record.
import { appliedStateOf } from '../domain/applied-state.js';
import type { AuditRecord, AuditStatus } from '../domain/audit.js';
import { compareDrift, integrationsWithAppliedResponses, unsettledChanges, type DriftItem, type UnsettledChange } from '../domain/drift.js';
import type { IntegrationResponse } from '../domain/model.js';
import { redactSecrets } from '../domain/redaction.js';
import type { PermissionItem, PermissionReport, PermissionService } from './permission-service.js';
import type { ApiGatewayPort, AuditStore } from './ports.js';
import { readApiSnapshot } from './route-state.js';

/** The audit store's largest page (audit/query.ts): the trail is read in as few queries as it allows. */
const AUDIT_PAGE_SIZE = 500;
/** The records drift reads: what was applied (succeeded) and what may have been (unsettled). */
const DRIFT_STATUSES: readonly AuditStatus[] = ['succeeded', 'pending', 'interrupted', 'partial'];

export interface DriftReport {
  apiId: string;
  /** No drift, no missing or stale permission, no change of unknown outcome that a newer change did not supersede. */
  clean: boolean;
  drift: DriftItem[];
  unmanaged: string[];
  permissions: { missing: PermissionItem[]; stale: PermissionReport['stale'] };
  interrupted: UnsettledChange[];
  pending: UnsettledChange[];
}

/** One API's drift in counts (the fleet summary, GET /v1/drift). */
export interface DriftCounts {
  clean: boolean;
  /** Routes, integrations and integration responses that differ from what Gatewire last applied. */
  drifted: number;
  /** Changes of unknown outcome (interrupted or partial) that no newer change superseded. */
  interrupted: number;
  /** Gatewire invoke permissions no integration needs, kept for stages deployed before. */
  keptForStage: number;
  missingPermissions: number;
  stalePermissions: number;
  /** Changes pending now. */
  pending: number;
}

export interface DriftServiceDeps {
  apiGateway: ApiGatewayPort;
  auditStore: AuditStore;
  permissions: Pick<PermissionService, 'reportFor'>;
}

export function createDriftService({ apiGateway, auditStore, permissions }: DriftServiceDeps) {
  /**
   * Every record of the API, newest first. The whole trail, not just up to the latest record of each
   * live route: a route or integration deleted behind Gatewire's back is known only from its records.
   */
  async function auditTrailOf(apiId: string): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    let cursor: string | undefined;
    do {
      // Only the records that can say what was applied or left unsettled (not failed or rolled
      // back: nothing changed), and only the columns drift reads (no plans, AWS calls or answers).
      const page = await auditStore.list({ apiId, limit: AUDIT_PAGE_SIZE, statuses: DRIFT_STATUSES, fields: 'summary', ...(cursor ? { cursor } : {}) });
      records.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return records;
  }

  /** The report, and the permission statements kept for stages (which the report leaves out). */
  async function inspect(apiId: string): Promise<{ report: DriftReport; kept: number }> {
    const [snapshot, records] = await Promise.all([readApiSnapshot(apiGateway, apiId), auditTrailOf(apiId)]);
    const applied = appliedStateOf(records);
    const withResponses = integrationsWithAppliedResponses(applied, snapshot);
    const [permissionReport, responseLists] = await Promise.all([
      permissions.reportFor(apiId, snapshot),
      Promise.all(withResponses.map((integrationId) => apiGateway.listIntegrationResponses(apiId, integrationId))),
    ]);
    // The live state is redacted as records are (domain/redaction.ts) before it is compared and
    // shown: a read-scope caller sees from AWS nothing the record hides, and a secret Gatewire
    // applied, redacted on both sides, is not drift.
    const integrationResponses = new Map<string, IntegrationResponse[]>(
      withResponses.map((integrationId, index) => [integrationId, redactSecrets(responseLists[index]!)]),
    );
    const live = { routes: redactSecrets(snapshot.routes), integrations: redactSecrets(snapshot.integrations), integrationResponses };
    const { drift, unmanaged } = compareDrift(applied, live);
    const missing = permissionReport.items.filter((item) => item.status === 'missing');
    const { interrupted, pending } = unsettledChanges(records);
    const report: DriftReport = {
      apiId,
      clean:
        drift.length === 0 &&
        missing.length === 0 &&
        permissionReport.stale.length === 0 &&
        interrupted.every((change) => change.supersededBy !== undefined),
      drift,
      unmanaged,
      permissions: { missing, stale: permissionReport.stale },
      interrupted,
      pending,
    };
    return { report, kept: permissionReport.kept.length };
  }

  return {
    async get(apiId: string): Promise<DriftReport> {
      return (await inspect(apiId)).report;
    },
    async counts(apiId: string): Promise<DriftCounts> {
      const { report, kept } = await inspect(apiId);
      return {
        clean: report.clean,
        drifted: report.drift.length,
        interrupted: report.interrupted.filter((change) => change.supersededBy === undefined).length,
        keptForStage: kept,
        missingPermissions: report.permissions.missing.length,
        stalePermissions: report.permissions.stale.length,
        pending: report.pending.length,
      };
    },
  };
}

export type DriftService = ReturnType<typeof createDriftService>;
