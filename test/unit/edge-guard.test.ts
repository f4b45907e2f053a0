import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ORIGIN_HEADER, onlyThroughTheEdge } from '../../functions/lib/edge-guard.js';
import { ENV } from '../../functions/lib/environment.js';
import { apiLambda } from '../../functions/lib/lambda.js';
import { givenSecret } from '../../functions/lib/secrets.js';

const SECRET = 'the-origin-secret-only-cloudfront-knows';

/** An API Gateway event as the API function receives it. */
function apiEvent(headers: Record<string, string>): APIGatewayProxyEventV2 {
  return { routeKey: 'GET /metadata', headers, requestContext: { http: { method: 'GET' } } } as never;
}

/** A handler that answers 200 with the headers it was given, behind the guard. */
function guarded() {
  const seen: Record<string, string | undefined>[] = [];
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(onlyThroughTheEdge(givenSecret(SECRET)))
    .handler(async (event) => {
      seen.push({ ...event.headers });
      return { statusCode: 200, body: 'answered' };
    });
  return { handler, seen };
}

describe('the API answers only requests that came through CloudFront', () => {
  it('answers a request carrying the origin secret, without letting the handler see the secret', async () => {
    // Prepare
    const { handler, seen } = guarded();
    // Act
    const answer = await handler(apiEvent({ 'X-Hub-Origin': SECRET, accept: 'application/fhir+json' }), {} as never);
    // Assess
    expect(answer.statusCode).toBe(200);
    expect(seen).toEqual([{ accept: 'application/fhir+json' }]);
  });

  it.each([
    ['no origin header (a call to the execute-api address)', {}],
    ['a wrong secret', { [ORIGIN_HEADER]: 'guess' }],
    ['a secret of another length', { [ORIGIN_HEADER]: `${SECRET}x` }],
  ])('refuses %s with 403 and a BaRS OperationOutcome, before the handler runs', async (_, headers) => {
    const { handler, seen } = guarded();
    const answer = await handler(apiEvent(headers), {} as never);
    expect(answer.statusCode).toBe(403);
    expect(JSON.parse(answer.body!)).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'forbidden', details: { coding: [{ code: 'SEND_FORBIDDEN' }] } }],
    });
    expect(answer.body).not.toContain(SECRET);
    expect(seen).toEqual([]);
  });

  it('is on only where the deployment names the secret (the local hub has no CloudFront)', async () => {
    const bare = () =>
      middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(async () => ({ statusCode: 200 }));
    const local = apiLambda(bare(), {});
    expect((await local(apiEvent({}), {} as never)).statusCode).toBe(200);
    const deployed = apiLambda(bare(), { [ENV.originSecret]: 'arn:aws:secretsmanager:eu-west-2:1:secret:origin' });
    // The guard is in place: a request without the header is refused (the secret is not even read).
    await expect(deployed(apiEvent({}), {} as never)).resolves.toMatchObject({ statusCode: 403 });
  });
});
