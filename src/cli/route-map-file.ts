// A route map file: the body of a bulk apply (PUT /v1/apis/{apiId}/routes) in JSON or YAML.
// Checked here for what can be known without the service (the file, its syntax, the shape of
// the map), so that a broken file stops the CLI before any request; the intents themselves are
// validated by Gatewire, which names every offending field.
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { BulkApplyRequest } from '../client/index.js';
import { BadInput } from './exit-codes.js';

const TOP_LEVEL_KEYS = new Set(['routes', 'deployStage']);

export async function readRouteMap(path: string, cwd: string): Promise<BulkApplyRequest> {
  const text = await readText(path, resolve(cwd, path));
  return checkShape(path, parseText(path, text));
}

async function readText(path: string, absolute: string): Promise<string> {
  try {
    return await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BadInput(`${path}: no such file`);
    if (code === 'EISDIR') throw new BadInput(`${path}: is a directory, not a route map file`);
    throw new BadInput(`${path}: cannot be read (${code ?? String(error)})`);
  }
}

function parseText(path: string, text: string): unknown {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new BadInput(`${path}: not valid JSON: ${(error as Error).message}`);
    }
  }
  if (extension === '.yaml' || extension === '.yml') {
    try {
      return parseYaml(text);
    } catch (error) {
      // The yaml package's message names the line and column.
      throw new BadInput(`${path}: not valid YAML: ${(error as Error).message}`);
    }
  }
  throw new BadInput(`${path}: a route map file ends in .json, .yaml or .yml`);
}

function checkShape(path: string, value: unknown): BulkApplyRequest {
  if (!isObject(value)) throw new BadInput(`${path}: expected an object with a "routes" map, got ${kindOf(value)}`);
  const unknown = Object.keys(value).filter((key) => !TOP_LEVEL_KEYS.has(key));
  if (unknown.length > 0) throw new BadInput(`${path}: unknown top-level field(s) ${unknown.join(', ')} (a route map has "routes" and "deployStage")`);
  const { routes, deployStage } = value;
  if (!isObject(routes)) throw new BadInput(`${path}: "routes" must be a map of route key -> intent (or null), got ${kindOf(routes)}`);
  if (Object.keys(routes).length === 0) throw new BadInput(`${path}: "routes" is empty: name at least one route`);
  for (const [routeKey, intent] of Object.entries(routes)) {
    if (intent !== null && !isObject(intent)) {
      throw new BadInput(`${path}: routes.${routeKey} must be an intent object (with a "backend") or null, got ${kindOf(intent)}`);
    }
  }
  if (deployStage !== undefined && typeof deployStage !== 'string') throw new BadInput(`${path}: "deployStage" must be a stage name`);
  return value as BulkApplyRequest;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
}
