// Lambda mode: the caller API Gateway has already authenticated, read from the Lambda event, is
// `request.actor`, so that it reaches the audit record (routes/change-context.ts reads it).
//
// Where API Gateway puts the caller:
//   REST API (v1) with IAM auth        requestContext.identity.userArn (else .caller / .user)
//   REST API (v1) with a Cognito pool  requestContext.authorizer.claims.sub
//   HTTP API (v2) with IAM auth        requestContext.authorizer.iam.userArn
//   HTTP API (v2) with a JWT authorizer requestContext.authorizer.jwt.claims.sub
// Only these verified identities count. Headers never do: the adapter strips the headers a client
// could use to forge an event (GHSA-m93c-jj3f-68ph), and `awsLambda` is undefined outside Lambda.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../domain/audit.js';

/** The part of an API Gateway proxy event (v1 or v2) this plugin reads. */
export interface ProxyEventIdentity {
  requestContext?: {
    identity?: { userArn?: string | null; caller?: string | null; user?: string | null } | null;
    authorizer?: {
      iam?: { userArn?: string | null } | null;
      jwt?: { claims?: Record<string, unknown> | null } | null;
      claims?: Record<string, unknown> | null;
    } | null;
  } | null;
}

/** The verified caller in an API Gateway proxy event, or null when the route had no IAM or JWT auth. */
export function actorFromEvent(event: ProxyEventIdentity | undefined): Actor | null {
  const context = event?.requestContext;
  if (!context) return null;
  const iamArn = nonEmpty(context.authorizer?.iam?.userArn);
  if (iamArn) return { id: iamArn, kind: 'iam' };
  const identity = context.identity;
  const restIam = nonEmpty(identity?.userArn) ?? nonEmpty(identity?.caller) ?? nonEmpty(identity?.user);
  if (restIam) return { id: restIam, kind: 'iam' };
  const subject = nonEmpty(context.authorizer?.jwt?.claims?.['sub']) ?? nonEmpty(context.authorizer?.claims?.['sub']);
  if (subject) return { id: subject, kind: 'jwt' };
  return null;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

type LambdaRequest = FastifyRequest & { actor?: Actor | null; awsLambda?: { event?: ProxyEventIdentity } };

/**
 * Sets `request.actor` from the Lambda event. Installed on the root instance (not encapsulated)
 * by buildApp in Lambda mode; the adapter's `awsLambda` decoration comes later (src/lambda.ts) and is
 * only read at request time. An actor another hook set earlier is kept.
 */
export function installLambdaActor(app: FastifyInstance): void {
  if (!app.hasRequestDecorator('actor')) app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    const lambdaRequest = request as LambdaRequest;
    if (lambdaRequest.actor) return;
    const actor = actorFromEvent(lambdaRequest.awsLambda?.event);
    if (actor) lambdaRequest.actor = actor;
  });
}
