// migrate.ts recognises an up-to-date database by the newest migration's name alone, without
// loading the migrations (issue 15): that name must be the newest one of each dialect.
import t from 'tap';
import { LATEST_MIGRATION } from '../../src/audit/migrate.js';
import { AUDIT_MIGRATIONS } from '../../src/audit/migrations/index.js';

t.test('LATEST_MIGRATION names the newest migration of each dialect', async (t) => {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    t.equal(LATEST_MIGRATION[dialect], Object.keys(AUDIT_MIGRATIONS[dialect]).sort().at(-1), dialect);
  }
  t.same(Object.keys(AUDIT_MIGRATIONS.sqlite), Object.keys(AUDIT_MIGRATIONS.postgres), 'both dialects have the same migrations');
});
