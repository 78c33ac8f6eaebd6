// Entity tags and the RFC 9110 precondition rules, on their own.
import t from 'tap';
import { canonicalJson, entityTagOf, failedPrecondition, parseEntityTagCondition } from '../../src/domain/etag.js';

t.test('the tag depends on the state only, not on key order', async (t) => {
  t.equal(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] }), '{"a":[{"d":2}],"b":1}');
  t.equal(entityTagOf({ a: 1, b: 2 }), entityTagOf({ b: 2, a: 1 }));
  t.not(entityTagOf({ a: 1 }), entityTagOf({ a: 2 }));
  t.match(entityTagOf({}), /^"[A-Za-z0-9_-]{27}"$/);
});

t.test('parsing If-Match / If-None-Match', async (t) => {
  t.equal(parseEntityTagCondition(' * '), '*');
  t.same(parseEntityTagCondition('"a", W/"b" ,"c"'), ['"a"', 'W/"b"', '"c"']);
  for (const bad of ['a', '"a', '"a"b', '', ',', '"a", *']) t.equal(parseEntityTagCondition(bad), undefined, `${JSON.stringify(bad)} is invalid`);
});

t.test('preconditions', async (t) => {
  const current = { exists: true, etag: '"x"' };
  t.equal(failedPrecondition(undefined, current), undefined);
  t.equal(failedPrecondition({ ifMatch: ['"y"', '"x"'] }, current), undefined, 'any listed tag matches');
  t.match(failedPrecondition({ ifMatch: ['"y"'] }, current), { kind: 'precondition-failed', etag: '"x"' });
  t.match(failedPrecondition({ ifMatch: ['W/"x"'] }, current), { kind: 'precondition-failed' }, 'If-Match compares strongly');
  t.equal(failedPrecondition({ ifMatch: '*' }, current), undefined);
  t.match(failedPrecondition({ ifMatch: '*' }, { exists: false, etag: undefined }), { kind: 'precondition-failed', etag: undefined });
  t.match(failedPrecondition({ ifNoneMatch: '*' }, current), { kind: 'precondition-failed', etag: '"x"' });
  t.equal(failedPrecondition({ ifNoneMatch: '*' }, { exists: false, etag: '"unbound"' }), undefined);
  t.match(failedPrecondition({ ifNoneMatch: ['W/"x"'] }, current), { kind: 'precondition-failed' }, 'If-None-Match compares weakly');
  t.equal(failedPrecondition({ ifNoneMatch: ['"y"'] }, current), undefined);
});
