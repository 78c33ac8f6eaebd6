// The audit trail, read side (GET /v1/audit, GET /v1/audit/{id}): a thin layer over the AuditStore
// port. Reads take no lock; a store that is down answers 503 (audit-unavailable) as everywhere.
import type { AuditPage, AuditQuery, AuditRecord, AuditStatus } from '../domain/audit.js';
import { notFound } from '../domain/errors.js';
import type { AuditStore } from './ports.js';

export const DEFAULT_AUDIT_PAGE_SIZE = 50;

/** The query as the route receives it (`actor` is the actor id). */
export interface AuditListFilters {
  apiId?: string;
  target?: string;
  routeKey?: string;
  actor?: string;
  action?: string;
  status?: AuditStatus;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

export interface AuditServiceDeps {
  auditStore: AuditStore;
}

export function createAuditService({ auditStore }: AuditServiceDeps) {
  return {
    /** Newest first; `nextCursor` is absent on the last page. Bad times or cursors are 400s (the store checks). */
    list(filters: AuditListFilters): Promise<AuditPage> {
      const query: AuditQuery = { limit: filters.limit ?? DEFAULT_AUDIT_PAGE_SIZE };
      if (filters.apiId !== undefined) query.apiId = filters.apiId;
      if (filters.target !== undefined) query.target = filters.target;
      if (filters.routeKey !== undefined) query.routeKey = filters.routeKey;
      if (filters.actor !== undefined) query.actorId = filters.actor;
      if (filters.action !== undefined) query.action = filters.action;
      if (filters.status !== undefined) query.status = filters.status;
      if (filters.from !== undefined) query.from = filters.from;
      if (filters.to !== undefined) query.to = filters.to;
      if (filters.cursor !== undefined) query.cursor = filters.cursor;
      return auditStore.list(query);
    },

    async get(id: string): Promise<AuditRecord> {
      const record = await auditStore.get(id);
      if (record === undefined) throw notFound(`audit record ${id} does not exist`);
      return record;
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
