// The progress display: a cli-progress bar in a terminal, one line per change of the step count
// (or status) elsewhere, never one per poll.
import { Writable } from 'node:stream';
import t from 'tap';
import type { Change } from '../../src/client/index.js';
import { createProgressDisplay } from '../../src/cli/progress.js';

function stream(isTTY: boolean) {
  let text = '';
  const output = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    }),
    { isTTY, columns: 100 },
  );
  return { output, text: () => text };
}

const view = (stepsDone: number, status: Change['status'] = 'pending', estimatedSecondsLeft?: number): Change => ({
  changeId: 'c1',
  action: 'routes.bulk-put',
  apiId: 'a1',
  status,
  startedAt: '2026-12-05T00:00:00.000Z',
  progress: { stepsDone, stepsTotal: 4, ...(estimatedSecondsLeft !== undefined ? { estimatedSecondsLeft } : {}) },
  plan: [],
  steps: [],
});

t.test('outside a terminal: a line per step count or status, not per poll', async (t) => {
  const { output, text } = stream(false);
  const display = createProgressDisplay(output, 'change c1');
  for (const change of [view(0, 'pending', 4), view(0, 'pending', 3.2), view(2, 'pending', 1.5), view(4, 'pending'), view(4, 'succeeded')]) display.update(change);
  display.stop();
  t.equal(
    text(),
    ['change c1: 0/4 steps, pending, about 4 s left', 'change c1: 2/4 steps, pending, about 2 s left', 'change c1: 4/4 steps, pending', 'change c1: 4/4 steps, succeeded', ''].join('\n'),
  );
});

t.test('in a terminal: a bar redrawn in place, ending at the last state', async (t) => {
  const { output, text } = stream(true);
  const display = createProgressDisplay(output, 'change c1');
  display.update(view(1, 'pending', 3));
  display.update(view(4, 'succeeded'));
  display.stop();
  t.match(text(), /\x1b\[/, 'terminal control sequences');
  t.notMatch(text(), /\n.*\n/, 'no line per update');
  t.match(text(), /change c1 \[.+\] 4\/4 steps \| succeeded/);
});
