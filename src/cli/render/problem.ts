// A problem document (RFC 9457) from Gatewire as people read it: status and title, the detail,
// then every offending field, and what to look up (AWS's request id, the audit record).
import type { Problem } from '../../client/index.js';

export function renderProblem(problem: Problem): string {
  const lines = [`Error: ${problem.status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ''}`];
  for (const error of problem.errors ?? []) lines.push(`  ${error.path || '(body)'}: ${error.message}`);
  if (problem.failedStep) lines.push(`  failed step: ${problem.failedStep.description}`);
  if (problem.aws) lines.push(`  AWS: ${problem.aws.error}${problem.aws.requestId ? ` (request id ${problem.aws.requestId})` : ''}`);
  if (problem.auditId) lines.push(`  audit record: ${problem.auditId}`);
  if (problem.instance) lines.push(`  request id: ${problem.instance}`);
  return `${lines.join('\n')}\n`;
}

/** A problem document, or anything else a failed request answered with (a proxy's HTML page, nothing). */
export function asProblem(body: unknown, status: number, statusText = ''): Problem {
  if (typeof body === 'object' && body !== null && typeof (body as Problem).status === 'number' && typeof (body as Problem).title === 'string') {
    return body as Problem;
  }
  const detail = typeof body === 'string' && body.length > 0 ? body.slice(0, 200) : undefined;
  return { type: 'about:blank', title: statusText || 'Unexpected answer', status, ...(detail ? { detail } : {}) };
}
