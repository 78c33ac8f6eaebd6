// followChange: polls GET /v1/changes/{id} until the change ends, waits out a busy Gatewire (429,
// 503) a few times, and gives up with the problem otherwise. A stub fetch plays Gatewire.
import t from 'tap';
import { changeIdOfLocation, createGatewireClient, followChange, isAccepted, type Change } from '../../src/client/index.js';

const view = (status: Change['status'], stepsDone: number): Change => ({
  changeId: 'c1',
  action: 'routes.bulk-put',
  apiId: 'a1',
  status,
  startedAt: '2026-12-05T00:00:00.000Z',
  progress: { stepsDone, stepsTotal: 2 },
  plan: [],
  steps: [],
});
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': status < 400 ? 'application/json' : 'application/problem+json', ...headers } });
const busy = () => json(503, { type: 'about:blank', title: 'Service Unavailable', status: 503 }, { 'retry-after': '0' });

function gatewire(answers: Response[]) {
  const seen: Request[] = [];
  const client = createGatewireClient({
    baseUrl: 'http://gatewire.test/prod/',
    apiKey: 'gw_key',
    fetch: async (request) => {
      seen.push(request);
      const answer = answers.shift();
      if (!answer) throw new Error('no more answers');
      return answer;
    },
  });
  return { client, seen };
}

t.test('polls until the change ends, through a busy moment, with the key', async (t) => {
  const { client, seen } = gatewire([json(200, view('pending', 0)), busy(), busy(), json(200, view('pending', 1)), json(200, view('succeeded', 2))]);
  const updates: number[] = [];
  const result = await followChange(client, 'c1', { intervalMs: 1, onUpdate: (change) => updates.push(change.progress.stepsDone) });
  t.equal(result.change?.status, 'succeeded');
  t.same(updates, [0, 1, 2], 'every answered view, none for the busy ones');
  t.equal(seen.length, 5);
  t.equal(seen[0]!.url, 'http://gatewire.test/prod/v1/changes/c1', 'behind the base URL, no double slash');
  t.equal(seen[0]!.headers.get('x-api-key'), 'gw_key');
});

t.test('a Gatewire busy for too long, or a 404: the problem', async (t) => {
  const tooBusy = gatewire(Array.from({ length: 6 }, busy));
  const result = await followChange(tooBusy.client, 'c1', { intervalMs: 1 });
  t.match(result.problem, { status: 503 });
  t.equal(tooBusy.seen.length, 6, 'five waits, then the sixth answer is the problem');

  const gone = gatewire([json(404, { type: 'https://gatewire.dev/problems/not-found', title: 'Not Found', status: 404 })]);
  t.match((await followChange(gone.client, 'c1', { intervalMs: 1 })).problem, { status: 404, title: 'Not Found' });
});

t.test('the change id of a Location, behind a stage prefix', async (t) => {
  t.equal(changeIdOfLocation('/v1/changes/01JD8V6X3C'), '01JD8V6X3C');
  t.equal(changeIdOfLocation('/prod/v1/changes/01JD8V6X3C'), '01JD8V6X3C');
  t.throws(() => changeIdOfLocation('/v1/apis/x'), /not a change location/);
});

t.test('isAccepted tells a 202 Change from the mutation’s own answer', async (t) => {
  const bulk = { outcome: 'applied', plan: [], auditComplete: true, routes: {} };
  const { client } = gatewire([json(202, view('pending', 0), { location: '/prod/v1/changes/c1' }), json(200, bulk)]);
  const put = () => client.PUT('/v1/apis/{apiId}/routes', { params: { path: { apiId: 'a1' } }, body: { routes: {} }, headers: { prefer: 'respond-async' } });
  const first = await put();
  t.ok(first.data && isAccepted(first.data, first.response), '202');
  if (first.data && isAccepted(first.data, first.response)) t.equal(first.data.changeId, 'c1', 'typed as a Change');
  const second = await put();
  t.notOk(second.data && isAccepted(second.data, second.response), '200');
  t.same(second.data, bulk);
});
