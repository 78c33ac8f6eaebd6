// Every failure of the audit database leaves as DomainError('audit-unavailable'), so that callers
// fail closed (503, no AWS call); domain errors (not found, conflict) pass through unchanged.
import { DomainError, isDomainError } from '../domain/errors.js';

export async function guard<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isDomainError(error)) throw error;
    throw new DomainError('audit-unavailable', `audit store unavailable: could not ${what}`, { cause: error });
  }
}
