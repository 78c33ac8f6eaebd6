// The dependency direction of DESIGN §8, checked on the sources: routes -> services -> domain;
// services see only ports; aws/ and audit/ are built only by the composition root.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import t from 'tap';

const SRC = new URL('../src/', import.meta.url).pathname;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : Promise.resolve([join(dir, entry.name)]))),
  );
  return nested.flat().filter((file) => file.endsWith('.ts'));
}

function importsOf(source: string): string[] {
  return [...source.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
}

/** folder -> import specifiers (prefixes) it must not use */
const FORBIDDEN: Record<string, RegExp[]> = {
  'domain/': [/^fastify/, /^@fastify\//, /^@aws-sdk\//, /^@smithy\//, /^kysely/, /^pg$/, /^better-sqlite3/, /\/services\//, /\/aws\//, /\/audit\//, /\/routes\//],
  'services/': [/^fastify/, /^@fastify\//, /^@aws-sdk\//, /^@smithy\//, /^kysely/, /\/aws\//, /\/audit\//, /\/routes\//],
  'routes/': [/\/aws\//, /\/audit\//, /^@aws-sdk\//, /^kysely/],
  'plugins/': [/\/aws\//, /\/audit\//, /\/routes\//],
  'schemas/': [/\/services\//, /\/aws\//, /\/audit\//, /\/routes\//],
  // The client and the CLI talk to Gatewire over HTTP only: none of the server's code, so that they
  // stay light and the CLI cannot depend on anything the REST API does not offer.
  'client/': [/^fastify/, /^@fastify\//, /^@aws-sdk\//, /^@smithy\//, /^kysely/, /^typebox/, /^\.\.\/(?!client\/)/],
  'cli/': [/^fastify/, /^@fastify\//, /^@aws-sdk\//, /^@smithy\//, /^kysely/, /^typebox/, /\/(domain|services|aws|audit|routes|plugins|schemas|auth)\//],
};

t.test('each folder imports only what its layer may see', async (t) => {
  const files = await sourceFiles(SRC);
  t.ok(files.length > 20, 'found the sources');
  for (const file of files) {
    const path = relative(SRC, file);
    const rules = Object.entries(FORBIDDEN).find(([folder]) => path.startsWith(folder))?.[1];
    if (!rules) continue;
    for (const specifier of importsOf(await readFile(file, 'utf8'))) {
      const broken = rules.find((rule) => rule.test(specifier));
      t.notOk(broken, `${path} imports ${specifier}`);
    }
  }
});

t.test('nothing but app.ts imports routes/', async (t) => {
  for (const file of await sourceFiles(SRC)) {
    const path = relative(SRC, file);
    if (path === 'app.ts' || path.startsWith('routes/')) continue;
    const offending = importsOf(await readFile(file, 'utf8')).filter((specifier) => /(^|\/)routes\//.test(specifier));
    t.same(offending, [], `${path} does not import routes/`);
  }
});
