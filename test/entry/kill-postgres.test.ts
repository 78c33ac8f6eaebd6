// SIGKILL mid-change with two instances on one PostgreSQL database (issue 14): the survivor's
// recovery sweep takes the change over once the dead owner's lease runs out, and undoes it.
import t from 'tap';
import { createAuditDatabase } from '../../src/audit/database.js';
import { createKyselyAuditStore } from '../../src/audit/store.js';
import { startFakeAws } from '../support/fake-aws/index.js';
import { killAfterWrite } from '../support/kill-scenario.js';
import { createTestSchema } from '../support/postgres.js';
import { startServerProcess } from '../support/server-process.js';

for (const writesDone of [1, 2] as const) {
  t.test(`killed after write #${writesDone} while a second instance runs`, async (t) => {
    const fake = await startFakeAws();
    t.teardown(() => fake.close());
    const { url } = await createTestSchema(t, `kill_pg_${writesDone}`);
    await killAfterWrite(t, fake, writesDone, async () => {
      const [victim, survivor] = await Promise.all([
        startServerProcess(t, fake, { GATEWIRE_AUDIT_URL: url }),
        startServerProcess(t, fake, { GATEWIRE_AUDIT_URL: url }),
      ]);
      t.teardown(() => void survivor.child.kill('SIGKILL'));
      const { db } = await createAuditDatabase(url);
      const store = createKyselyAuditStore(db);
      t.teardown(() => store.close());
      return { victim, afterKill: async () => undefined, store };
    });
  });
}
