// The read coalescer's rules (src/aws/read-coalescer.ts), on its middleware alone: reads join an
// identical call in flight or take a recent answer; changes' reads bypass both; a write drops its
// API's reads, and a read that overlapped a write is not kept.
import t from 'tap';
import { createReadCoalescer } from '../../src/aws/read-coalescer.js';
import { runAsRead, type ReadContext } from '../../src/services/read-context.js';

type Handler = (args: { input: Record<string, unknown> }) => Promise<{ output: any }>;

/** The coalescer's middleware around a fake "AWS" that counts calls and answers when told. */
function harness(cacheMs: number) {
  let middleware: ((next: Handler, context: { commandName: string }) => Handler) | undefined;
  createReadCoalescer({ cacheMs }).add({ add: (fn: any) => (middleware = fn) } as any, 'apigatewayv2');
  const sent: string[] = [];
  const pending: Array<() => void> = [];
  let version = 1;
  let hold = false;
  const aws: Handler = async ({ input }) => {
    sent.push(String(input['ApiId']));
    if (hold) await new Promise<void>((resolve) => pending.push(resolve));
    return { output: { version, items: [1, 2] } };
  };
  const send = (command: string, input: Record<string, unknown>) => middleware!(aws, { commandName: command })({ input });
  return {
    sent,
    read: (input: Record<string, unknown>, context: ReadContext = {}) => runAsRead(context, () => send('GetRoutesCommand', input)),
    changeRead: (input: Record<string, unknown>) => send('GetRoutesCommand', input),
    write: async (input: Record<string, unknown>) => {
      version += 1;
      return send('UpdateRouteCommand', input);
    },
    hold: (on: boolean) => (hold = on),
    release: () => pending.splice(0).forEach((resolve) => resolve()),
  };
}

t.test('identical reads in flight are one call; each caller gets its own copy', async (t) => {
  const h = harness(0);
  h.hold(true);
  const answers = Promise.all(Array.from({ length: 5 }, () => h.read({ ApiId: 'a' })));
  const other = h.read({ ApiId: 'b' });
  await new Promise((resolve) => setImmediate(resolve));
  h.release();
  const [results] = await Promise.all([answers, other]);
  t.same(h.sent, ['a', 'b'], 'one call per distinct read');
  results[0]!.output.items.push(3);
  t.same(results[1]!.output.items, [1, 2], 'a caller changing its answer does not change the others');
});

t.test('a recent answer is reused and its age noted; a change never uses it', async (t) => {
  const h = harness(60_000);
  await h.read({ ApiId: 'a' });
  const context: ReadContext = {};
  const cached = await h.read({ ApiId: 'a' }, context);
  t.same(h.sent, ['a'], 'answered from the cache');
  t.type(context.oldestCachedAt, 'number', 'the age is noted for the Age header');
  t.equal(cached.output.version, 1);
  await h.changeRead({ ApiId: 'a' });
  t.same(h.sent, ['a', 'a'], "a change's read goes to AWS");
});

t.test('a write drops its API\'s cached reads, and a read that overlapped a write is not kept', async (t) => {
  const h = harness(60_000);
  await h.read({ ApiId: 'a' });
  await h.read({ ApiId: 'b' });
  await h.write({ ApiId: 'a', RouteId: 'r' });
  const afterWrite = await h.read({ ApiId: 'a' });
  t.equal(afterWrite.output.version, 2, 'read again after the write');
  await h.read({ ApiId: 'b' });
  t.same(h.sent, ['a', 'b', 'a', 'a'], "another API's answer stays cached (the write itself is the third call)");

  h.hold(true);
  const overlapping = h.read({ ApiId: 'a', NextToken: 'x' });
  await new Promise((resolve) => setImmediate(resolve));
  h.hold(false);
  await h.write({ ApiId: 'a' });
  h.release();
  t.equal((await overlapping).output.version, 3, 'the overlapping read answered');
  await h.read({ ApiId: 'a', NextToken: 'x' });
  t.equal(h.sent.filter((id) => id === 'a').length, 6, 'but was not kept: the same read went to AWS again');
});
