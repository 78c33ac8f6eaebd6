// The shape every error response shares: application/problem+json with type, title, status and
// the request id as instance.
import type { LightMyRequestResponse } from 'fastify';
import type { TestContext } from './tap.js';

export function assertProblem(t: TestContext, response: LightMyRequestResponse, status: number) {
  t.equal(response.statusCode, status, `answers ${status}: ${response.body.slice(0, 500)}`);
  t.match(response.headers['content-type'], /^application\/problem\+json/, 'as application/problem+json');
  const problem = response.json();
  t.match(problem, { type: /^https:\/\/gatewire\.dev\/problems\//, title: String, status, instance: String });
  return problem;
}
