import { timingSafeEqual } from 'node:crypto';
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { operationOutcome } from '../../core/fhir/operation-outcome.js';
import { API_ANSWER_HEADERS } from './http.js';
import type { SecretSource } from './secrets.js';

/** The header CloudFront adds to every request it sends the API (an origin custom header; a viewer's is replaced). */
export const ORIGIN_HEADER = 'x-hub-origin';

/**
 * Refuses a request that did not come through the hub's CloudFront distribution (someone calling the API's own
 * execute-api address, round the web ACL and the access logs): only CloudFront knows the origin secret. The header
 * is removed before the handler sees it, so nothing logs or echoes it.
 */
export function onlyThroughTheEdge(
  secret: SecretSource,
): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    before: async (request) => {
      const headers = request.event.headers ?? {};
      const name = Object.keys(headers).find((key) => key.toLowerCase() === ORIGIN_HEADER);
      const given = name ? headers[name] : undefined;
      if (name) delete headers[name];
      if (given !== undefined && same(given, await secret())) return;
      return {
        statusCode: 403,
        headers: { 'content-type': 'application/fhir+json', ...API_ANSWER_HEADERS },
        body: JSON.stringify(
          operationOutcome('SEND_FORBIDDEN', [
            {
              severity: 'error',
              code: 'forbidden',
              diagnostics: "Call the hub at its own address: the API does not answer at AWS's address for it",
            },
          ]),
        ),
      };
    },
  };
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
