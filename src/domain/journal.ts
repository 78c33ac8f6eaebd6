// The journal of a change (DESIGN §3): what each write step did, committed before the next write
// starts, so that the record always says which steps ran — also when the instance running the
// change dies and another one takes it over. Pure: entries in, facts out.
import type { PlanStep } from './plan.js';

/**
 * What happened to one call of a step (`do`) or of its compensation (`undo`):
 * - `started`: committed just before the AWS call is sent;
 * - `succeeded` / `failed`: AWS answered (a failure changed nothing);
 * - `unknown`: no answer (timeout, reset connection, 5xx): the call may or may not have happened;
 * - `found` / `absent`: what a look-up said of an `unknown` (or never answered) create: it happened
 *   (with the id it created) or it did not;
 * - `skipped`: not run, and why (`note`): e.g. a compensation that would write a redacted secret.
 */
export type StepPhase = 'started' | 'succeeded' | 'failed' | 'unknown' | 'found' | 'absent' | 'skipped';

/** Things that happen to the change as a whole. */
export type ChangeEvent =
  /** Another instance took the change over after its owner's lease expired (or was released). */
  | 'taken-over'
  /** The owner stopped at a step boundary (shutdown, end of a Lambda invocation) and released it. */
  | 'handed-over'
  /** The change ran past its deadline and stopped at a step boundary. */
  | 'deadline-exceeded'
  /** The owner found its lease gone (another instance took the change over) and stopped. */
  | 'lease-lost';

interface EntryBase {
  seq: number;
  at: string;
  /** The instance that wrote the entry. */
  owner: string;
  note?: string;
}

export interface StepEntry extends EntryBase {
  kind: 'do' | 'undo';
  stepId: string;
  operation: string;
  phase: StepPhase;
  /** AWS's request id of the call. */
  requestId?: string;
  /** The id of what the call created (a create that succeeded or was found). */
  createdId?: string;
  /** AWS's error name, or a short reason. */
  error?: string;
}

export interface EventEntry extends EntryBase {
  kind: 'event';
  event: ChangeEvent;
}

export type JournalEntry = StepEntry | EventEntry;

/** An entry before the store numbers it. */
export type NewJournalEntry = Omit<StepEntry, 'seq'> | Omit<EventEntry, 'seq'>;

/** Where one plan step stands after a journal. */
export type StepStanding =
  /** Never started. */
  | 'not-started'
  /** Ran: AWS answered with success, or a look-up found what it created. */
  | 'done'
  /** AWS answered with a failure, or a look-up found nothing: it changed nothing. */
  | 'not-done'
  /** Started and never answered, and nobody found out: it may have run. */
  | 'in-doubt'
  /** Done, then undone by its compensation. */
  | 'undone';

export interface JournalFacts {
  standing: Map<string, StepStanding>;
  /** Ids created by steps that are done (and not undone), by step id. */
  createdIds: Map<string, string>;
  /** The compensation of a step started and never answered. */
  undoInDoubt: Set<string>;
  /** Steps whose compensation failed or was skipped, with why. */
  undoFailed: Map<string, string>;
  handedOver: boolean;
  lastSeq: number;
}

/** Replays the journal over the plan: where every step stands, and what it created. */
export function journalFacts(plan: readonly PlanStep[], journal: readonly JournalEntry[]): JournalFacts {
  const standing = new Map<string, StepStanding>(plan.map((step) => [step.id, 'not-started']));
  const createdIds = new Map<string, string>();
  const undoInDoubt = new Set<string>();
  const undoFailed = new Map<string, string>();
  let handedOver = false;
  let lastSeq = 0;
  for (const entry of [...journal].sort((a, b) => a.seq - b.seq)) {
    lastSeq = Math.max(lastSeq, entry.seq);
    if (entry.kind === 'event') {
      // Only the latest event counts: a change handed over, then taken over, is running again.
      handedOver = entry.event === 'handed-over';
      continue;
    }
    handedOver = false;
    if (entry.kind === 'do') {
      const next = doStanding(entry.phase);
      if (next) standing.set(entry.stepId, next);
      if (next === 'done' && entry.createdId !== undefined) createdIds.set(entry.stepId, entry.createdId);
      continue;
    }
    // undo
    if (entry.phase === 'started') undoInDoubt.add(entry.stepId);
    else undoInDoubt.delete(entry.stepId);
    if (entry.phase === 'succeeded' || entry.phase === 'absent') {
      standing.set(entry.stepId, 'undone');
      createdIds.delete(entry.stepId);
      undoFailed.delete(entry.stepId);
    } else if (entry.phase === 'failed' || entry.phase === 'skipped' || entry.phase === 'unknown') {
      undoFailed.set(entry.stepId, entry.note ?? entry.error ?? entry.phase);
    }
  }
  return { standing, createdIds, undoInDoubt, undoFailed, handedOver, lastSeq };
}

function doStanding(phase: StepPhase): StepStanding | undefined {
  switch (phase) {
    case 'started':
    case 'unknown':
      return 'in-doubt';
    case 'succeeded':
    case 'found':
      return 'done';
    case 'failed':
    case 'absent':
      return 'not-done';
    case 'skipped':
      return undefined;
  }
}

/** Steps done / total, for progress: a step counts once it is done (or undone, in a rollback). */
export function stepsDone(facts: JournalFacts): number {
  let done = 0;
  for (const standing of facts.standing.values()) if (standing === 'done' || standing === 'undone') done += 1;
  return done;
}

/** The value audit redaction writes in place of a secret (audit/redact.ts uses the same). */
export const REDACTED_VALUE = '[redacted]';

/** Whether a step's parameters (or its compensation's) hold a redacted secret: such a call cannot be replayed from the record. */
export function carriesRedactedValue(params: object): boolean {
  const visit = (value: unknown): boolean => {
    // Whole values, and text with a credential taken out of it (a URL's userinfo, a query parameter).
    if (typeof value === 'string') return value.includes(REDACTED_VALUE);
    if (Array.isArray(value)) return value.some(visit);
    if (value !== null && typeof value === 'object') return Object.values(value).some(visit);
    return false;
  };
  return visit(params);
}

/**
 * Seconds the rest of a change should take: the steps left at the pace it has kept so far, but
 * never faster than the AWS rate limit allows (`minSecondsPerStep`, e.g. 0.1 at 10 calls/s).
 */
export function estimateSecondsLeft(
  stepsTotal: number,
  done: number,
  journal: readonly JournalEntry[],
  minSecondsPerStep: number,
): number {
  const left = Math.max(0, stepsTotal - done);
  const times = journal.map((entry) => Date.parse(entry.at)).filter(Number.isFinite);
  const elapsed = times.length > 1 ? (Math.max(...times) - Math.min(...times)) / 1000 : 0;
  const pace = done > 0 ? elapsed / done : 0;
  return Math.round(left * Math.max(pace, minSecondsPerStep) * 10) / 10;
}
