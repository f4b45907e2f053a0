import { Client } from 'fhir-kit-client';
import { FHIR_JSON } from '../../core/fhir/systems.js';
import type { PushRequest, PushResult, Transport } from '../../core/ports.js';

type FhirKitInput = NonNullable<Parameters<Client['operation']>[0]['input']>;

/** FHIR push with fhir-kit-client: POST [base]/$process-message with BaRS headers and a timeout. */
export class FhirKitTransport implements Transport {
  /** One client (and keep-alive agent) per receiver base URL, kept for the life of the Lambda container. */
  private readonly clients = new Map<string, Client>();

  async push({ address, bundle, requestId, correlationId, timeoutMs }: PushRequest): Promise<PushResult> {
    const client = this.clientFor(address);
    try {
      await client.operation({
        name: '$process-message',
        input: bundle as unknown as FhirKitInput, // fhir-kit-client has its own resource type
        options: {
          headers: {
            'x-request-id': requestId,
            'x-correlation-id': correlationId,
            accept: FHIR_JSON,
            'content-type': FHIR_JSON,
          },
          signal: AbortSignal.timeout(timeoutMs),
        },
      });
      return { status: 200, detail: 'receiver answered 2xx' };
    } catch (error) {
      const status = (error as { response?: { status?: number } }).response?.status;
      if (status !== undefined) {
        // A 2xx with a body that is not JSON still means the receiver took the message.
        if (status >= 200 && status < 300) return { status, detail: `receiver answered ${status}` };
        return { status, detail: `receiver answered HTTP ${status}` };
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
