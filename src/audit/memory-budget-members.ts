// BudgetMembers in memory: the instances of one process (tests run two apps on one of these).
import type { BudgetMembers } from '../services/ports.js';

export function createMemoryBudgetMembers(): BudgetMembers {
  const budgets = new Map<string, Map<string, number>>();
  return {
    async beat(key, instance, now, expiresAt) {
      const members = budgets.get(key) ?? new Map<string, number>();
      budgets.set(key, members);
      members.set(instance, expiresAt.getTime());
      for (const [other, until] of members) if (until <= now.getTime()) members.delete(other);
      return Math.max(1, members.size);
    },
    async leave(key, instance) {
      budgets.get(key)?.delete(instance);
    },
  };
}
