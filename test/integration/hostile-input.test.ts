import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError } from '../../core/errors.js';
import { endUserOrganisationHeader } from '../../core/fhir/bars-headers.js';
import { errorAnswer, MAX_ISSUES_PER_ANSWER } from '../../core/fhir/operation-outcome.js';
import { TOKEN_PATH } from '../../core/identity/tokens.js';
import { LOCAL_OPS_ODS, type LocalHub, startLocalHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { LOCAL_OIDC_PATH } from '../../local/identity-provider.js';
import { referralMessage } from '../../local/sample-messages.js';
import {
  HOSTILE_CALLERS,
  type HostileCaller,
  type HostileRequest,
  hostileRequest,
  sendHostile,
} from '../support/hostile.js';
import { asOrganisation, call, sendMessage } from '../support/http.js';

/** Generated requests per run (FUZZ_RUNS raises it for a longer hunt). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
/** No answer may take longer than this. */
const SLOWEST_MS = 2000;
/** No answer may be larger than this. */
const LARGEST_ANSWER_BYTES = 1_000_000;

describe('hostile input: every request gets an answer, never a 5xx', () => {
  let hub: LocalHub;
  beforeAll(async () => {
    hub = await startLocalHub({ port: 0, receiversPort: false });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const bearer = async (caller: HostileCaller) => {
    const { organisation, role } = HOSTILE_CALLERS[caller];
    return (await asOrganisation(hub.baseUrl, organisation, role)).authorization.slice('Bearer '.length);
  };
  const send = (request: HostileRequest) => sendHostile(hub.baseUrl, request, bearer);

  it(`answers ${RUNS} generated hostile requests across every route with a 4xx OperationOutcome or a success`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    console.log(`hostile input: seed ${seed} (replay with FUZZ_SEED=${seed})`);
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (request) => {
        const answer = await send(request);
        expect(answer.status, `${request.method} ${request.path.slice(0, 100)}`).toBeLessThan(500);
        expect(answer.ms).toBeLessThan(SLOWEST_MS);
        expect(answer.text.length).toBeLessThan(LARGEST_ANSWER_BYTES);
        // The token endpoint refuses in OAuth's words (RFC 6749 §5.2), whatever refused the request (headers over
        // 10 KB are refused before it, by API Gateway or its local stand-in: 431).
        const tokenRoute = request.method === 'POST' && request.path.split('?')[0] === TOKEN_PATH;
        if (answer.status >= 400 && answer.status !== 431 && tokenRoute) {
          expect(answer.type).toBe('application/json');
          expect(JSON.parse(answer.text)).toEqual({ error: expect.any(String), error_description: expect.any(String) });
          return;
        }
        // The local identity provider (a stand-in for Cognito) answers in OAuth's shape, not FHIR's.
        if (answer.status >= 400 && !request.path.startsWith(LOCAL_OIDC_PATH)) {
          expect(answer.type).toBe('application/fhir+json');
          expect(JSON.parse(answer.text).resourceType).toBe('OperationOutcome');
        }
      }),
      { numRuns: RUNS, seed },
    );
    // And the hub still does its work.
    expect((await sendMessage(hub.baseUrl, referralMessage())).status).toBe(202);
  }, 300_000);

  describe('each cause found by an attacker, refused with a 4xx', () => {
    const valid = () => referralMessage() as unknown as Record<string, any>;
    const post = (body: unknown) => sendMessage(hub.baseUrl, body);

    it.each([
      ['a malformed %-encoding in a path', '/messages/%E0%A4%A'],
      ['an id over 2 KB in a path', `/messages/${'a'.repeat(3000)}`],
      ['an id that is not a FHIR id', '/messages/..%2F..%2Fx'],
      ['a cursor the hub did not hand out', '/messages?cursor=eyJ4IjoxfQ'],
      ['a cursor that is not even JSON', '/messages?cursor=abc'],
    ])('%s', async (_, path) => {
      const answer = await call(hub.baseUrl, 'GET', path, {
        headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS),
      });
      expect(answer.status).toBe(400);
      expect(answer.body.resourceType).toBe('OperationOutcome');
    });

    it.each([
      ['a reference that is a number', (b: Record<string, any>) => (b.entry[0].resource.sender.reference = 123)],
      [
        'a reference that is an object',
        (b: Record<string, any>) => (b.entry[0].resource.sender = { reference: { a: 1 } }),
      ],
      ['entries that are not a list', (b: Record<string, any>) => (b.entry = 'x')],
      ['a null entry', (b: Record<string, any>) => (b.entry = [null])],
      ['an empty Bundle.id', (b: Record<string, any>) => (b.id = '')],
      ['a Bundle.id with a path in it', (b: Record<string, any>) => (b.id = '../../x')],
      ['a Bundle.id with a non-character', (b: Record<string, any>) => (b.id = 'x\uFFFF')],
      ['a focus that is a string', (b: Record<string, any>) => (b.entry[0].resource.focus = 'x')],
    ])('a message with %s', async (_, mutate) => {
      const bundle = valid();
      mutate(bundle);
      const answer = await post(bundle);
      expect(answer.status).toBe(400);
      expect(answer.body.issue.length).toBeGreaterThan(0);
    });

    it('nesting thousands deep', async () => {
      const answer = await call(hub.baseUrl, 'POST', '/$process-message', {
        headers: { 'content-type': 'application/fhir+json', ...(await asOrganisation(hub.baseUrl, SAMPLE_PRACTICE)) },
        rawBody: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
      });
      expect(answer.status).toBe(400);
    });

    it('a long string where an object belongs: one issue naming the type, not one per character', async () => {
      const bundle = valid();
      bundle.entry[1].resource.subject = 'x'.repeat(60_000);
      const answer = await post(bundle);
      expect(answer.status).toBe(400);
      const issue = answer.body.issue.find((i: { diagnostics: string }) =>
        /found a string of 60000/.test(i.diagnostics),
      );
      expect(issue.diagnostics).toContain('Expected Reference');
      expect(JSON.stringify(answer.body).length).toBeLessThan(10_000);
    });

    it('an answer lists at most 100 issues, then says how many more', () => {
      const many = Array.from({ length: 250 }, (_, i) => ({
        severity: 'error' as const,
        code: 'value' as const,
        diagnostics: `problem ${i}`,
      }));
      const answer = errorAnswer(new BadRequestError('many', many));
      expect(answer.outcome.issue).toHaveLength(MAX_ISSUES_PER_ANSWER + 1);
      expect(answer.outcome.issue.at(-1)!.diagnostics).toBe('and 150 more issues, not listed');
    });

    it.each([
      ['an identifier that is an object', { identifier: { system: 'x', value: 'y' } }],
      ['an identifier that is a string', { identifier: 'Z9W001' }],
      ['an identifier list holding null', { identifier: [null] }],
      [
        'an ODS code that is a number',
        { identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 42 }] },
      ],
      [
        'an ODS code that is an object',
        { identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: {} }] },
      ],
    ])('an NHSD-End-User-Organisation with %s', async (_, organisation) => {
      const header = Buffer.from(JSON.stringify({ resourceType: 'Organization', ...organisation })).toString('base64');
      const answer = await call(hub.baseUrl, 'GET', '/messages', {
        headers: { ...(await asOrganisation(hub.baseUrl, SAMPLE_PRACTICE)), 'nhsd-end-user-organisation': header },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.issue[0].expression).toEqual(['NHSD-End-User-Organisation']);
    });

    it('a body over the size limit, and headers over 10 KB, as OperationOutcomes', async () => {
      const huge = await call(hub.baseUrl, 'POST', '/$process-message', {
        headers: { 'content-type': 'application/fhir+json', ...(await asOrganisation(hub.baseUrl, SAMPLE_PRACTICE)) },
        rawBody: 'x'.repeat(11 * 1024 * 1024),
      });
      expect(huge.status).toBe(413);
      expect(huge.body.resourceType).toBe('OperationOutcome');
      const headers = await call(hub.baseUrl, 'GET', '/metadata', {
        headers: {
          'x-padding': 'x'.repeat(12 * 1024),
          'nhsd-end-user-organisation': endUserOrganisationHeader(SAMPLE_PRACTICE),
        },
      });
      expect(headers.status).toBe(431);
      expect(headers.body.resourceType).toBe('OperationOutcome');
    });
  });
});
