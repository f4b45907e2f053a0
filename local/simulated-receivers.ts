import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageBundle } from '../core/fhir/bundle.js';
import { FHIR_JSON } from '../core/fhir/systems.js';
import { BarsReceiver, barsOutcome, hubTokenCheck } from './bars-receiver.js';
import { responseMessage } from './sample-messages.js';
import type { TokenSource } from './token-client.js';

/** Delay before an accepting receiver answers a referral, and before it completes it. */
export const ANSWER_AFTER_MS = 1000;
export const COMPLETE_AFTER_MS = 3000;
/** The flaky receiver refuses this many attempts of each message with 503 before it accepts. */
export const FLAKY_FAILURES_PER_MESSAGE = 2;

export type ReceiverBehaviour = 'community-nursing' | 'mental-health' | 'wellbeing-line' | 'practice' | 'bars-pharmacy';

export interface ReceivedMessage {
  ods: string;
  behaviour: string;
  bundleId: string;
  requestId: string;
  correlationId: string;
  status: number;
  event: string;
  /** The request's headers (lower-cased), as the BaRS receiver saw them. */
  headers?: Record<string, string | undefined>;
}

export interface SimulatedReceivers {
  origin: string;
  received: ReceivedMessage[];
  /** Take a receiver down (every request 503) or bring it back. */
  setDown(behaviour: ReceiverBehaviour, down: boolean): void;
  stop(): Promise<void>;
}

/**
 * Receivers' FHIR endpoints for local runs, at [origin]/{ODS code}/{behaviour}/$process-message:
 *  - community-nursing accepts, then answers the sender through the hub: accepted, later completed;
 *  - mental-health is flaky: 503 for the first attempts of each message, then accepts;
 *  - wellbeing-line is down: always 503 (delivery fails; ops can replay it elsewhere);
 *  - practice accepts whatever the hub pushes back to a practice (responses, failure notices);
 *  - bars-pharmacy is a BaRS receiver (local/bars-receiver.ts): it checks the BaRS headers, answers 409 to a request
 *    it already processed, and the REC_ error a referral asks for in a note (`simulate REC_UNPROCESSABLE_ENTITY`).
 */
interface ReceiversOptions {
  port: number;
  hubBaseUrl: () => string;
  /** The receivers' access tokens: each answers as its organisation's receiver client. */
  tokens: TokenSource;
  answer?: boolean;
}

/** A message's Bundle and its event, when the body is one (anything else is answered 400). */
function bundleOf(body: string): { bundle?: MessageBundle; event: string } {
  let bundle: MessageBundle | undefined;
  try {
    bundle = JSON.parse(body) as MessageBundle;
  } catch {
    bundle = undefined;
  }
  const header = bundle?.entry?.[0]?.resource;
  return {
    ...(bundle ? { bundle } : {}),
    event: header?.resourceType === 'MessageHeader' ? (header.eventCoding?.code ?? '') : '',
  };
}

/** The receivers' behaviours and what they were sent. */
class Receivers {
  readonly received: ReceivedMessage[] = [];
  readonly down = new Set<string>();
  readonly timers = new Set<NodeJS.Timeout>();
  private readonly attempts = new Map<string, number>();
  /** One BaRS pharmacy per ODS code, each checking that the hub's token is for its own endpoint. */
  private readonly pharmacies = new Map<string, BarsReceiver>();

  constructor(private readonly options: ReceiversOptions) {}

  /** One request to /{ods}/{behaviour}/$process-message. */
  async handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const [ods = '', behaviour = '', operation] = new URL(req.url ?? '/', 'http://x').pathname
      .split('/')
      .filter(Boolean);
    if (behaviour === 'bars-pharmacy') return this.answerAsBarsReceiver(ods, req, res, body);
    const { bundle, event } = bundleOf(body);
    const requestId = String(req.headers['x-request-id'] ?? '');
    const correlationId = String(req.headers['x-correlation-id'] ?? '');
    const seen = (this.attempts.get(bundle?.id ?? '') ?? 0) + 1;
    this.attempts.set(bundle?.id ?? '', seen);
    let status = 200;
    if (req.method !== 'POST' || operation !== '$process-message' || !bundle?.id) status = 400;
    else if (this.down.has(behaviour) || behaviour === 'wellbeing-line') status = 503;
    else if (behaviour === 'mental-health' && seen <= FLAKY_FAILURES_PER_MESSAGE) status = 503;
    this.received.push({ ods, behaviour, bundleId: bundle?.id ?? '', requestId, correlationId, status, event });
    res.writeHead(status, { 'content-type': FHIR_JSON });
    res.end(
      JSON.stringify(
        status === 200
          ? bundle
          : {
              resourceType: 'OperationOutcome',
              issue: [{ severity: 'error', code: 'transient', diagnostics: 'simulated receiver unavailable' }],
            },
      ),
    );
    const answers = this.options.answer ?? true;
    if (
      status === 200 &&
      seen === 1 &&
      answers &&
      behaviour === 'community-nursing' &&
      event === 'servicerequest-request'
    ) {
      this.later(ANSWER_AFTER_MS, () => this.answer(ods, bundle!.id!, correlationId, 'accepted'));
      this.later(COMPLETE_AFTER_MS, () => this.answer(ods, bundle!.id!, correlationId, 'completed'));
    }
  }

  private pharmacy(ods: string) {
    let receiver = this.pharmacies.get(ods);
    if (!receiver) {
      receiver = new BarsReceiver(hubTokenCheck(this.options.hubBaseUrl, `/${ods}/bars-pharmacy`));
      this.pharmacies.set(ods, receiver);
    }
    return receiver;
  }

  private async answerAsBarsReceiver(ods: string, req: IncomingMessage, res: ServerResponse, body: string) {
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
    );
    const answer = this.down.has('bars-pharmacy')
      ? {
          status: 503,
          headers: { 'content-type': FHIR_JSON },
          body: barsOutcome('REC_SERVER_ERROR', 'simulated receiver unavailable', 'transient'),
        }
      : await this.pharmacy(ods).answer({ method: req.method ?? 'GET', headers, body });
    const { bundle, event } = bundleOf(body);
    this.received.push({
      ods,
      behaviour: 'bars-pharmacy',
      bundleId: bundle?.id ?? '',
      requestId: headers['x-request-id'] ?? '',
      correlationId: headers['x-correlation-id'] ?? '',
      status: answer.status,
      event,
      headers,
    });
    res.writeHead(answer.status, answer.headers);
    res.end(JSON.stringify(answer.body));
  }

  private later(ms: number, fn: () => Promise<void>) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn().catch((error: Error) => console.warn(`simulated receiver could not answer: ${error.message}`));
    }, ms);
    this.timers.add(timer);
  }

  /** The team's answer through the hub, as its receiver client. */
  private async answer(ods: string, originalId: string, correlationId: string, taskStatus: 'accepted' | 'completed') {
    const message = responseMessage({ receiverOds: ods, originalMessageId: originalId, taskStatus });
    const response = await fetch(`${this.options.hubBaseUrl()}/$process-message`, {
      method: 'POST',
      headers: {
        'content-type': FHIR_JSON,
        'x-request-id': randomUUID(),
        'x-correlation-id': correlationId,
        ...(await this.options.tokens.headers(ods, 'receiver')),
      },
      body: JSON.stringify(message),
    });
    if (!response.ok) throw new Error(`hub answered ${response.status}: ${await response.text()}`);
  }
}

export async function startSimulatedReceivers(options: ReceiversOptions): Promise<SimulatedReceivers> {
  const receivers = new Receivers(options);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void receivers.handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve, reject) =>
    server.once('error', reject).listen(options.port, '127.0.0.1', () => resolve()),
  );
  return {
    origin: `http://localhost:${(server.address() as AddressInfo).port}`,
    received: receivers.received,
    setDown: (behaviour, isDown) => (isDown ? receivers.down.add(behaviour) : receivers.down.delete(behaviour)),
    async stop() {
      for (const timer of receivers.timers) clearTimeout(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
