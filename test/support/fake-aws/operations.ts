// An operation is one restJson1 endpoint: method + path template (as in the SDK's schemas, e.g.
// `/v2/apis/{ApiId}/routes/{RouteId}`) + a synchronous handler over the in-memory state.
import type { ServiceName } from './types.js';

export interface OperationRequest {
  /** Path labels, URI-decoded (the SDK percent-encodes `:` in Lambda ARNs, for instance). */
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  /** The access key id the request was signed with, when signed. */
  accessKeyId?: string;
}

export interface OperationResult {
  status: number;
  body?: unknown;
}

export interface Operation {
  service: ServiceName;
  name: string;
  method: string;
  path: string;
  handle(request: OperationRequest): OperationResult;
}

export interface MatchedOperation {
  operation: Operation;
  params: Record<string, string>;
}

export function defineOperation(
  service: ServiceName,
  name: string,
  method: string,
  path: string,
  handle: (request: OperationRequest) => OperationResult,
): Operation {
  return { service, name, method, path, handle };
}

/** Builds a matcher over `operations`; literal segments must match exactly, `{Label}` takes one segment. */
export function createOperationMatcher(operations: readonly Operation[]): (method: string, pathname: string) => MatchedOperation | undefined {
  const compiled = operations.map((operation) => {
    const labels: string[] = [];
    const source = operation.path
      .split('/')
      .map((segment) => {
        const label = /^\{(\w+)\}$/.exec(segment);
        if (!label?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        labels.push(label[1]);
        return '([^/]+)';
      })
      .join('/');
    return { operation, labels, pattern: new RegExp(`^${source}/?$`) };
  });
  return (method, pathname) => {
    for (const { operation, labels, pattern } of compiled) {
      if (operation.method !== method) continue;
      const match = pattern.exec(pathname);
      if (!match) continue;
      const params: Record<string, string> = {};
      labels.forEach((label, index) => {
        params[label] = decodeURIComponent(match[index + 1] ?? '');
      });
      return { operation, params };
    }
    return undefined;
  };
}

export const ok = (body: unknown): OperationResult => ({ status: 200, body });
export const created = (body: unknown): OperationResult => ({ status: 201, body });
export const noContent = (): OperationResult => ({ status: 204 });

/** A path label the matcher guarantees to be present. */
export function label(request: OperationRequest, name: string): string {
  const value = request.params[name];
  if (value === undefined) throw new Error(`missing path label ${name}`);
  return value;
}
