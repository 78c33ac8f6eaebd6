// gatewire audit [--api <id>] [--target <name>] [--route <key>] [--status <s>] [--limit <n>] [--cursor <c>]: the audit trail.
import type { paths } from '../../client/index.js';
import { EXIT_OK } from '../exit-codes.js';
import { connect } from '../connect.js';
import type { CliIo } from '../io.js';
import { writeProblem, writeResult, type OutputOptions } from '../output.js';
import { renderAudit } from '../render/audit.js';
import { asProblem } from '../render/problem.js';

type AuditQuery = paths['/v1/audit']['get']['parameters']['query'];

export interface AuditOptions extends OutputOptions {
  api?: string;
  target?: string;
  route?: string;
  status?: AuditQuery['status'];
  /** Page size (the service's default is 50). */
  limit: number;
  cursor?: string;
}

export async function auditCommand(io: CliIo, options: AuditOptions): Promise<number> {
  const query: AuditQuery = {
    ...(options.api ? { apiId: options.api } : {}),
    ...(options.target ? { target: options.target } : {}),
    ...(options.route ? { routeKey: options.route } : {}),
    ...(options.status ? { status: options.status } : {}),
    limit: options.limit,
    ...(options.cursor ? { cursor: options.cursor } : {}),
  };
  const { data, error, response } = await connect(io).GET('/v1/audit', { params: { query } });
  if (!data) return writeProblem(io, options, asProblem(error, response.status, response.statusText));
  writeResult(io, options, data, renderAudit);
  return EXIT_OK;
}
