// One route's integration as people read it: the route, then the integration's fields as YAML.
import { stringify } from 'yaml';
import type { RouteIntegration } from '../../client/index.js';

/** `api`: how to name the API (commands/target.ts apiLabel: with its target when one was given). */
export function renderRouteIntegration(view: RouteIntegration, api: string = view.apiId): string {
  const lines = [`Route ${view.routeKey} on API ${api}${view.route ? ` (route ${view.route.routeId})` : ': no such route'}`];
  if (!view.integration) {
    lines.push('  no integration');
    return `${lines.join('\n')}\n`;
  }
  lines.push(`  two-way: ${view.returnResponse ? 'yes' : 'no'}${view.sharedWith.length > 0 ? `; integration shared with ${view.sharedWith.join(', ')}` : ''}`);
  lines.push('  integration:', indent(stringify(view.integration), '    '));
  if (view.integrationResponses.length > 0) lines.push('  integration responses:', indent(stringify(view.integrationResponses), '    '));
  return `${lines.join('\n')}\n`;
}

function indent(text: string, prefix: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}
