import type { OperationOutcome } from 'fhir/r4';
import { Client } from 'fhir-kit-client';
import { FHIR_JSON } from '../../core/fhir/systems.js';
import type { PushRequest, PushResult, Transport } from '../../core/ports.js';

type FhirKitInput = NonNullable<Parameters<Client['operation']>[0]['input']>;

/** A receiver's answer as fhir-kit-client reports a non-2xx: its status and parsed body, and the response headers. */
interface FailedResponse {
  response?: { status?: number; data?: unknown };
  config?: { headers?: Headers };
}

/** Retry-After in seconds (BaRS receivers and API gateways send seconds; an HTTP date is read too). */
function retryAfterSeconds(headers: Headers | undefined): number | undefined {
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = /^\d+$/.test(value) ? Number(value) : Math.ceil((Date.parse(value) - Date.now()) / 1000);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

const isOperationOutcome = (body: unknown): body is OperationOutcome =>
  typeof body === 'object' &&
  body !== null &&
  (body as { resourceType?: unknown }).resourceType === 'OperationOutcome' &&
  Array.isArray((body as { issue?: unknown }).issue);

/** FHIR push with fhir-kit-client: POST [base]/$process-message with the BaRS headers the core gives, and a timeout. */
export class FhirKitTransport implements Transport {
  /** One client (and keep-alive agent) per receiver base URL, kept for the life of the Lambda container. */
  private readonly clients = new Map<string, Client>();

  async push({ address, bundle, headers, timeoutMs }: PushRequest): Promise<PushResult> {
    const client = this.clientFor(address);
    try {
      await client.operation({
        name: '$process-message',
        input: bundle as unknown as FhirKitInput, // fhir-kit-client has its own resource type
        options: {
          headers: { ...headers, accept: FHIR_JSON, 'content-type': FHIR_JSON },
          signal: AbortSignal.timeout(timeoutMs),
        },
      });
      return { status: 200, detail: 'receiver answered 2xx' };
    } catch (error) {
      const failed = error as FailedResponse;
      const status = failed.response?.status;
      if (status !== undefined) {
        // A 2xx with a body that is not JSON still means the receiver took the message.
        if (status >= 200 && status < 300) return { status, detail: `receiver answered ${status}` };
        const retryAfter = retryAfterSeconds(failed.config?.headers);
        return {
          status,
          detail: `receiver answered HTTP ${status}`,
          ...(isOperationOutcome(failed.response?.data) ? { answer: failed.response.data } : {}),
          ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
        };
      }
      const name = (error as Error).name;
      return {
        detail:
          name === 'TimeoutError' || name === 'AbortError'
            ? `no answer within ${timeoutMs} ms`
            : `receiver unreachable (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message})`,
      };
    }
  }

  private clientFor(baseUrl: string): Client {
    let client = this.clients.get(baseUrl);
    if (!client) {
      client = new Client({ baseUrl });
      this.clients.set(baseUrl, client);
    }
    return client;
  }
}
