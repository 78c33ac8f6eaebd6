// The progress of a running change (GET /v1/changes/{id}): a bar in a terminal (cli-progress),
// and outside one (a CI log) one line per update, only when something moved.
import { Presets, SingleBar } from 'cli-progress';
import type { Change } from '../client/index.js';
import type { Output } from './io.js';

export interface ProgressDisplay {
  update(change: Change): void;
  stop(): void;
}

export function createProgressDisplay(stream: Output, label: string): ProgressDisplay {
  return stream.isTTY ? barDisplay(stream, label) : lineDisplay(stream, label);
}

function barDisplay(stream: Output, label: string): ProgressDisplay {
  const bar = new SingleBar(
    { stream, format: `${label} [{bar}] {value}/{total} steps | {state}`, hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(change) {
      const { stepsDone, stepsTotal } = change.progress;
      if (!started) bar.start(stepsTotal, stepsDone, { state: describe(change) });
      else bar.update(stepsDone, { state: describe(change) });
      bar.setTotal(stepsTotal);
      started = true;
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function lineDisplay(stream: Output, label: string): ProgressDisplay {
  let last = '';
  return {
    update(change) {
      const line = `${label}: ${change.progress.stepsDone}/${change.progress.stepsTotal} steps, ${describe(change)}`;
      // Comparing without the estimate: a new line for every tick of the clock would flood the log.
      const key = `${change.progress.stepsDone}/${change.progress.stepsTotal} ${change.status}`;
      if (key === last) return;
      last = key;
      stream.write(`${line}\n`);
    },
    stop() {},
  };
}

function describe(change: Change): string {
  const left = change.progress.estimatedSecondsLeft;
  return change.status === 'pending' && left !== undefined ? `pending, about ${Math.ceil(left)} s left` : change.status;
}
