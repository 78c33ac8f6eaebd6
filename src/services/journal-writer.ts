// The owner's side of a change's journal and lease (DESIGN §3). Each write step's start is
// committed before its AWS call, together with the result of the step before it: one commit per
// step, and no write starts before what came before it is durable. While a step runs long, a timer
// renews the lease. The owner stops writing to AWS as soon as it cannot be sure it still owns the
// change: a commit said so, or its lease may have run out while the store did not answer.
import type { ChangeLease } from '../domain/audit.js';
import { isDomainError } from '../domain/errors.js';
import type { ChangeEvent, JournalEntry, NewJournalEntry } from '../domain/journal.js';
import type { AuditStore, Clock } from './ports.js';

export interface JournalWriterOptions {
  store: AuditStore;
  clock: Clock;
  changeId: string;
  owner: string;
  leaseMs: number;
  /** The last sequence number already in the journal (a take-over continues after it). */
  lastSeq?: number;
}

export class JournalWriter {
  readonly changeId: string;
  readonly owner: string;
  private readonly store: AuditStore;
  private readonly clock: Clock;
  private readonly leaseMs: number;
  private seq: number;
  private buffered: JournalEntry[] = [];
  /** When the last commit or renewal that reached the store was sent (its lease runs from then). */
  private confirmedAt: number;
  private lost = false;
  private renewal: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;

  constructor(options: JournalWriterOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.changeId = options.changeId;
    this.owner = options.owner;
    this.leaseMs = options.leaseMs;
    this.seq = options.lastSeq ?? 0;
    this.confirmedAt = this.clock.now().getTime();
  }

  /** The time to stamp an entry with. */
  now(): string {
    return this.clock.now().toISOString();
  }

  /** The lease to write now: from now for leaseMs. */
  lease(): ChangeLease {
    return { owner: this.owner, expiresAt: new Date(this.clock.now().getTime() + this.leaseMs).toISOString() };
  }

  /**
   * Whether the owner may still write to AWS: no commit said the change is another's, and the
   * lease last confirmed has not run out (with a quarter of it to spare for clocks and the call).
   */
  owns(): boolean {
    return !this.lost && this.clock.now().getTime() < this.confirmedAt + (this.leaseMs * 3) / 4;
  }

  /** Commits the buffered results with `entry` (a step about to start). */
  async commit(entry?: NewJournalEntry): Promise<void> {
    const entries = this.take(entry);
    await this.confirm(() => this.store.appendJournal(this.changeId, this.lease(), entries), entries);
  }

  /** Buffers a result: it is committed with the next start, the hand-over or the final record. */
  note(entry: NewJournalEntry): void {
    this.buffered.push(this.numbered(entry));
  }

  /** The buffered entries plus `event`, for the final record's own transaction. */
  takeForFinal(event?: ChangeEvent): JournalEntry[] {
    return this.take(event ? this.event(event) : undefined);
  }

  /** Puts entries a failed final write did not keep back in front of the buffer. */
  requeue(entries: readonly JournalEntry[]): void {
    this.buffered = [...entries, ...this.buffered];
  }

  /** Stops at a step boundary: commits what is buffered and the hand-over, and releases the lease. */
  async handOver(): Promise<void> {
    this.stopRenewing();
    const entries = this.take(this.event('handed-over'));
    await this.confirm(() => this.store.releaseLease(this.changeId, this.owner, entries), entries);
    this.lost = true;
  }

  event(event: ChangeEvent, note?: string): NewJournalEntry {
    return { kind: 'event', event, at: this.now(), owner: this.owner, ...(note ? { note } : {}) };
  }

  /** Renews the lease in the background while a step runs longer than a quarter of it. */
  startRenewing(): void {
    if (this.renewal) return;
    this.renewal = setInterval(() => {
      if (this.renewing || this.lost) return;
      const sentAt = this.clock.now().getTime();
      this.renewing = this.store
        .renewLease(this.changeId, this.lease())
        .then(() => {
          this.confirmedAt = Math.max(this.confirmedAt, sentAt);
        })
        .catch((error: unknown) => {
          if (isDomainError(error) && error.kind === 'lease-lost') this.lost = true;
          // A store that does not answer: owns() turns false once the lease may have run out.
        })
        .finally(() => {
          this.renewing = undefined;
        });
    }, Math.max(50, Math.floor(this.leaseMs / 4)));
    this.renewal.unref();
  }

  stopRenewing(): void {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = undefined;
  }

  private numbered(entry: NewJournalEntry): JournalEntry {
    this.seq += 1;
    return { ...entry, seq: this.seq } as JournalEntry;
  }

  private take(entry?: NewJournalEntry): JournalEntry[] {
    const entries = [...this.buffered, ...(entry ? [this.numbered(entry)] : [])];
    this.buffered = [];
    return entries;
  }

  private async confirm(write: () => Promise<void>, entries: JournalEntry[]): Promise<void> {
    const sentAt = this.clock.now().getTime();
    try {
      await write();
      this.confirmedAt = Math.max(this.confirmedAt, sentAt);
    } catch (error) {
      if (isDomainError(error) && error.kind === 'lease-lost') this.lost = true;
      else this.buffered = [...entries.filter((e) => e.kind !== 'do' || e.phase !== 'started'), ...this.buffered];
      throw error;
    }
  }
}
