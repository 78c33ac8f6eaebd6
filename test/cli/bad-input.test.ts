// Bad input ends the CLI with exit code 2 and a message that names the problem, before any
// request: a server that counts what reaches it stands in for Gatewire.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { routeMapFolder, runGatewire } from '../support/cli.js';

const requests: string[] = [];
const server = createServer((request, response) => {
  requests.push(`${request.method} ${request.url}`);
  response.writeHead(500).end();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
t.teardown(() => new Promise((resolve) => server.close(resolve)));
const env = { GATEWIRE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, GATEWIRE_API_KEY: 'gw_some-key' };

const files = await routeMapFolder(t);
await files.write('good.json', { routes: { ping: { backend: { type: 'mock' } } } });
await files.write('broken.json', '{"routes": {"ping": ');
await files.write('broken.yaml', 'routes:\n  ping: { backend: { type: mock }\n  pong: null\n');
await files.write('list.yaml', '- ping\n- pong\n');
await files.write('extra.json', { routes: { ping: null }, dryRun: true });
await files.write('empty.json', { routes: {} });
await files.write('string-intent.json', { routes: { ping: 'mock' } });
await files.write('routes.txt', '{}');

const cases: { name: string; argv: string[]; env?: Record<string, string>; message: RegExp }[] = [
  { name: 'no GATEWIRE_URL', argv: ['plan', 'good.json', '--api', 'abc123'], env: { GATEWIRE_API_KEY: 'k' }, message: /GATEWIRE_URL is not set/ },
  { name: 'GATEWIRE_URL not a URL', argv: ['drift', '--api', 'abc123'], env: { ...env, GATEWIRE_URL: 'gatewire.example.com' }, message: /GATEWIRE_URL is not a URL: gatewire\.example\.com/ },
  { name: 'GATEWIRE_URL not http', argv: ['audit'], env: { ...env, GATEWIRE_URL: 'ftp://gatewire.example.com' }, message: /GATEWIRE_URL must be an http or https URL/ },
  { name: 'no GATEWIRE_API_KEY', argv: ['apply', 'good.json', '--api', 'abc123'], env: { GATEWIRE_URL: env.GATEWIRE_URL }, message: /GATEWIRE_API_KEY is not set/ },
  { name: 'a missing file', argv: ['apply', 'nope.json', '--api', 'abc123'], message: /nope\.json: no such file/ },
  { name: 'a folder', argv: ['plan', '.', '--api', 'abc123'], message: /\.: is a directory, not a route map file/ },
  { name: 'broken JSON', argv: ['plan', 'broken.json', '--api', 'abc123'], message: /broken\.json: not valid JSON/ },
  { name: 'broken YAML, with its line', argv: ['apply', 'broken.yaml', '--api', 'abc123'], message: /broken\.yaml: not valid YAML: .*line \d+/s },
  { name: 'a list, not a map', argv: ['plan', 'list.yaml', '--api', 'abc123'], message: /list\.yaml: expected an object with a "routes" map, got a list/ },
  { name: 'an unknown top-level field', argv: ['plan', 'extra.json', '--api', 'abc123'], message: /extra\.json: unknown top-level field\(s\) dryRun/ },
  { name: 'no routes', argv: ['plan', 'empty.json', '--api', 'abc123'], message: /empty\.json: "routes" is empty/ },
  { name: 'an intent that is not an object', argv: ['plan', 'string-intent.json', '--api', 'abc123'], message: /routes\.ping must be an intent object/ },
  { name: 'another extension', argv: ['plan', 'routes.txt', '--api', 'abc123'], message: /routes\.txt: a route map file ends in \.json, \.yaml or \.yml/ },
  { name: 'no --api', argv: ['plan', 'good.json'], message: /required option '--api <id>' not specified/ },
  { name: 'a bad API id', argv: ['drift', '--api', 'Not/An/Id'], message: /--api <id>.*is invalid.*lowercase letters and digits/ },
  { name: 'a bad target name', argv: ['drift', '--api', 'abc123', '--target', 'Prod_EU'], message: /--target <name>.*is invalid.*lowercase letters, digits and dashes/ },
  { name: 'a bad stage', argv: ['apply', 'good.json', '--api', 'abc123', '--stage', 'a b'], message: /--stage <name>.*is invalid/ },
  { name: 'an unknown command', argv: ['destroy'], message: /unknown command 'destroy'/ },
  { name: 'an unknown option', argv: ['audit', '--verbose'], message: /unknown option '--verbose'/ },
  { name: 'a status audit does not know', argv: ['audit', '--status', 'done'], message: /Allowed choices are pending, succeeded/ },
];

for (const { name, argv, env: caseEnv, message } of cases) {
  t.test(name, async (t) => {
    const run = await runGatewire(argv, { env: caseEnv ?? env, cwd: files.dir });
    t.equal(run.code, 2, 'exit code 2');
    t.match(run.stderr, message, 'the message names the problem');
    t.equal(run.stdout, '');
    t.same(requests, [], 'no request was sent');
  });
}

t.test('a Gatewire that does not answer: exit 1, naming where it was looked for', async (t) => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
  const run = await runGatewire(['drift', '--api', 'abc123'], { env: { ...env, GATEWIRE_URL: url }, cwd: files.dir });
  t.equal(run.code, 1);
  t.match(run.stderr, `gatewire: could not reach Gatewire at ${url}: ECONNREFUSED`);
});

t.test('--help exits 0 and lists every command', async (t) => {
  const run = await runGatewire(['--help'], { env, cwd: files.dir });
  t.equal(run.code, 0);
  for (const command of ['plan', 'apply', 'drift', 'audit', 'get']) t.match(run.stdout, new RegExp(`^ {2}${command} `, 'm'));
});
