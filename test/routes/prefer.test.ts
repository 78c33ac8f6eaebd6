// RFC 7240 Prefer, as changes read it: respond-async and wait=N; the rest is ignored, never an error.
import t from 'tap';
import { parsePrefer } from '../../src/routes/prefer.js';

t.test('respond-async and wait', async (t) => {
  t.same(parsePrefer(undefined), { respondAsync: false });
  t.same(parsePrefer('respond-async'), { respondAsync: true });
  t.same(parsePrefer('wait=10'), { respondAsync: false, waitSeconds: 10 });
  t.same(parsePrefer('respond-async, wait=5'), { respondAsync: true, waitSeconds: 5 });
  t.same(parsePrefer(['respond-async', 'wait=3']), { respondAsync: true, waitSeconds: 3 }, 'several headers are one list');
  t.same(parsePrefer('Respond-Async,WAIT = 7'), { respondAsync: true, waitSeconds: 7 }, 'names are case-insensitive, spaces allowed');
  t.same(parsePrefer('wait="4"'), { respondAsync: false, waitSeconds: 4 }, 'a quoted value');
});

t.test('the first of a repeated preference counts (RFC 7240 §2)', async (t) => {
  t.same(parsePrefer('wait=2, wait=9'), { respondAsync: false, waitSeconds: 2 });
});

t.test('what is not understood is ignored', async (t) => {
  t.same(parsePrefer('return=minimal, handling=strict'), { respondAsync: false });
  t.same(parsePrefer('wait=soon'), { respondAsync: false }, 'a wait that is not delta-seconds');
  t.same(parsePrefer('wait=-1'), { respondAsync: false });
  t.same(parsePrefer('respond-async=yes'), { respondAsync: false }, 'respond-async takes no value');
  t.same(parsePrefer('wait=5; foo=bar'), { respondAsync: false, waitSeconds: 5 }, 'parameters are skipped');
  t.same(parsePrefer(',,, ;'), { respondAsync: false });
});
