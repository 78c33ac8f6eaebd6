// The changes this instance is running now: so that shutdown can hand them over at a step
// boundary, a Lambda request can hand its own over before its invocation ends, and progress can be
// estimated from what the owner sees. Nothing here is needed for correctness across instances:
// that lives in the store (DESIGN §1).

export interface RunningChange {
  changeId: string;
  apiId: string;
  /** Epoch ms after which the change stops at its next step boundary and is handed over. */
  handOverAt: number | undefined;
}

export class ChangeTracker {
  private readonly running = new Map<string, RunningChange>();
  private readonly idle = new Set<() => void>();
  private handingOver = false;

  add(change: RunningChange): void {
    this.running.set(change.changeId, change);
  }

  remove(changeId: string): void {
    this.running.delete(changeId);
    if (this.running.size === 0) for (const resolve of this.idle) resolve();
  }

  get(changeId: string): RunningChange | undefined {
    return this.running.get(changeId);
  }

  /** Whether the change should stop at this boundary and be handed over. */
  shouldHandOver(changeId: string, now: number): boolean {
    if (this.handingOver) return true;
    const handOverAt = this.running.get(changeId)?.handOverAt;
    return handOverAt !== undefined && now >= handOverAt;
  }

  /** Hands every running change over at its next boundary, and refuses to start or take over more. */
  handOverAll(): void {
    this.handingOver = true;
  }

  /** True once shutdown asked for hand-overs: nothing new starts. */
  get stopping(): boolean {
    return this.handingOver;
  }

  size(): number {
    return this.running.size;
  }

  /** Resolves when no change runs, or after `timeoutMs`. */
  whenIdle(timeoutMs: number): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idle.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      this.idle.add(done);
    });
  }
}
