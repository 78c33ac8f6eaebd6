// Container entry: config → dependencies (audit migrations run here) → buildApp → listen, and the
// sweep that takes over changes whose owner died (DESIGN §3). SIGTERM/SIGINT close gracefully:
// running changes may finish for GATEWIRE_SHUTDOWN_DRAIN_MS, then stop at a step boundary and are
// handed over to another instance; their callers get 202 with the change's location.
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { SERVER_EXTRAS } from './plugins/server-extras.js';
import { generateApiKey, hasCallerCredentials, hashApiKey } from './auth/credentials.js';
import { ConfigError, isLoopbackHost, loadConfig, type Config } from './config.js';
import { createDependencies } from './dependencies.js';

/** After the drain, how long hand-overs may take: the step in flight finishes first (one AWS call). */
const HAND_OVER_GRACE_MS = 12_000;

/**
 * First run: without caller credentials, the server binds to loopback only and accepts one admin
 * key made now, printed once on stdout (never logged); only its SHA-256 is kept, in memory, until
 * the process exits. Any other address needs configured credentials.
 */
function withFirstRunKey(config: Readonly<Config>): Readonly<Config> {
  if (hasCallerCredentials(config.auth)) return config;
  if (!isLoopbackHost(config.host)) {
    throw new ConfigError(
      `Invalid configuration: HOST=${config.host} is not a loopback address and no caller credentials are configured: set GATEWIRE_API_KEYS (hashed keys, see the README's Authentication section) or GATEWIRE_JWT_JWKS_URL, or listen on 127.0.0.1`,
    );
  }
  const key = generateApiKey();
  process.stdout.write(
    [
      '',
      'Gatewire: no caller credentials are configured (GATEWIRE_API_KEYS, GATEWIRE_JWT_JWKS_URL), so it listens on',
      `${config.host} only and accepts this admin API key until the process exits (only its SHA-256 is kept):`,
      '',
      `    ${key}`,
      '',
      'Send it as `x-api-key: <key>` or `Authorization: Bearer <key>` (Swagger UI at /docs: Authorize). It is not',
      'shown again. For lasting keys, run `npx tsx scripts/hash-api-key.ts --name <name> --scopes write` and put',
      'the printed entry in GATEWIRE_API_KEYS (README: Authentication).',
      '',
      '',
    ].join('\n'),
  );
  return Object.freeze({
    ...config,
    auth: { ...config.auth, apiKeys: Object.freeze([{ name: 'first-run-admin', sha256: hashApiKey(key), scopes: ['admin'] as const }]) },
  });
}

async function main(): Promise<void> {
  const config = withFirstRunKey(loadConfig(process.env));
  const deps = await createDependencies(config);
  const app = await buildApp({ config, services: deps.services, auditStore: deps.auditStore, extras: SERVER_EXTRAS });

  // What an earlier life of this instance (or any dead one) left is taken over now, then every few seconds.
  deps.recovery.start(app.log);
  void deps.recovery.sweepOnce().catch((error: unknown) => app.log.warn({ err: error }, 'first change recovery sweep failed'));

  // A request in flight at SIGTERM finishes, but its keep-alive socket would then hold close()
  // open until the client lets go (up to keepAliveTimeout): answer it with `Connection: close`.
  let closing = false;
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  // Within the container's stop grace period (docker's default is 10 s; compose sets 40 s).
  closeWithGrace({ delay: config.changes.shutdownDrainMs + HAND_OVER_GRACE_MS + 5_000 }, async ({ signal, err }) => {
    closing = true;
    if (err) app.log.error({ err }, 'closing after an error');
    else app.log.info({ signal, running: deps.tracker.size() }, 'closing');
    // No new connections; requests in flight are answered (a change's caller at worst with 202).
    const closed = app.close();
    await deps.tracker.whenIdle(config.changes.shutdownDrainMs);
    if (deps.tracker.size() > 0) {
      app.log.info({ running: deps.tracker.size() }, 'handing the changes still running over to another instance');
      deps.tracker.handOverAll();
      await deps.tracker.whenIdle(HAND_OVER_GRACE_MS);
    }
    await closed;
    await deps.close();
  });

  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  // Config errors are the operator's to fix: one clear line, no stack.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
