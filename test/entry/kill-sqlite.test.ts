// SIGKILL mid-change on the embedded SQLite store (issue 14): one instance owns the file, so
// recovery comes with the restart: the new process's sweep takes over what its former self left.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createAuditDatabase } from '../../src/audit/database.js';
import { createKyselyAuditStore } from '../../src/audit/store.js';
import { startFakeAws } from '../support/fake-aws/index.js';
import { killAfterWrite } from '../support/kill-scenario.js';
import { startServerProcess } from '../support/server-process.js';

for (const writesDone of [1, 2] as const) {
  t.test(`killed after write #${writesDone}, then restarted`, async (t) => {
    const fake = await startFakeAws();
    t.teardown(() => fake.close());
    const dir = await mkdtemp(join(tmpdir(), 'gatewire-kill-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const env = { GATEWIRE_AUDIT_URL: `sqlite:${join(dir, 'audit.db')}` };
    await killAfterWrite(t, fake, writesDone, async () => {
      const victim = await startServerProcess(t, fake, env);
      const { db } = await createAuditDatabase(env.GATEWIRE_AUDIT_URL);
      const store = createKyselyAuditStore(db);
      t.teardown(() => store.close());
      const afterKill = async () => {
        await startServerProcess(t, fake, env);
        return Date.now();
      };
      return { victim, afterKill, store };
    });
  });
}
