// Container entry: config → dependencies (audit migrations run here) → buildApp → listen.
// SIGTERM/SIGINT close gracefully: in-flight changes finish and their records are finalised.
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createDependencies } from './dependencies.js';

/** A change still pending this long after it started was cut off by a crash (DESIGN §3). */
const INTERRUPTED_AFTER_MS = 10 * 60_000;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const deps = await createDependencies(config);
  const app = await buildApp({ config, services: deps.services, auditStore: deps.auditStore });

  const interrupted = await deps.auditStore.markInterrupted(new Date(Date.now() - INTERRUPTED_AFTER_MS));
  if (interrupted > 0) app.log.warn({ interrupted }, 'audit records left pending by an earlier crash are now marked interrupted');

  // A request in flight at SIGTERM finishes, but its keep-alive socket would then hold close()
  // open until the client lets go (up to keepAliveTimeout): answer it with `Connection: close`.
  let closing = false;
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  // Within the container's stop grace period (docker's default is 10 s; compose sets 40 s).
  closeWithGrace({ delay: 30_000 }, async ({ signal, err }) => {
    closing = true;
    if (err) app.log.error({ err }, 'closing after an error');
    else app.log.info({ signal }, 'closing');
    await app.close();
    await deps.close();
  });

  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  // Config errors are the operator's to fix: one clear line, no stack.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
