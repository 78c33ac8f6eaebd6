// BudgetMembers over the audit database's Kysely instance (SQLite and PostgreSQL alike): a beat
// is an upsert of the instance's row, a count of the live rows and a delete of expired ones, once
// per heartbeat interval (not per AWS call). Times are ISO text, whose text order is time order.
import type { Kysely } from 'kysely';
import type { BudgetMembers } from '../services/ports.js';
import { guard } from './guard.js';
import type { AuditDatabase } from './tables.js';

export function createKyselyBudgetMembers(db: Kysely<AuditDatabase>): BudgetMembers {
  return {
    beat: (key, instance, now, expiresAt) =>
      guard('renew the instance in its AWS budget', async () => {
        const at = now.toISOString();
        await db
          .insertInto('budget_members')
          .values({ budget_key: key, instance, expires_at: expiresAt.toISOString() })
          .onConflict((conflict) => conflict.columns(['budget_key', 'instance']).doUpdateSet({ expires_at: expiresAt.toISOString() }))
          .execute();
        // Instances that stopped without leaving (killed) linger until their row expires.
        await db.deleteFrom('budget_members').where('budget_key', '=', key).where('expires_at', '<=', at).execute();
        const row = await db
          .selectFrom('budget_members')
          .select((eb) => eb.fn.countAll<number | string>().as('live'))
          .where('budget_key', '=', key)
          .where('expires_at', '>', at)
          .executeTakeFirst();
        // pg answers count(*) as text (int8).
        return Math.max(1, Number(row?.live ?? 1));
      }),
    leave: (key, instance) =>
      guard('leave the AWS budget', async () => {
        await db.deleteFrom('budget_members').where('budget_key', '=', key).where('instance', '=', instance).execute();
      }),
  };
}
