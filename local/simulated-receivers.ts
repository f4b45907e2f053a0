import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageBundle } from '../core/fhir/bundle.js';
import { FHIR_JSON } from '../core/fhir/systems.js';
import { BarsReceiver, barsOutcome, hubTokenCheck } from './bars-receiver.js';
import { responseMessage } from './messages.js';
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
export async function startSimulatedReceivers(options: {
  port: number;
  hubBaseUrl: () => string;
  /** The receivers' access tokens: each answers as its organisation's receiver client. */
  tokens: TokenSource;
  answer?: boolean;
}): Promise<SimulatedReceivers> {
  const received: ReceivedMessage[] = [];
  /** One BaRS pharmacy per ODS code, each checking that the hub's token is for its own endpoint. */
  const pharmacies = new Map<string, BarsReceiver>();
  const pharmacy = (ods: string) => {
    let receiver = pharmacies.get(ods);
    if (!receiver) {
      receiver = new BarsReceiver(hubTokenCheck(options.hubBaseUrl, `/${ods}/bars-pharmacy`));
      pharmacies.set(ods, receiver);
    }
    return receiver;
  };
  const attempts = new Map<string, number>();
  const down = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [ods = '', behaviour = '', operation] = new URL(req.url ?? '/', 'http://x').pathname
        .split('/')
        .filter(Boolean);
      if (behaviour === 'bars-pharmacy')
        return answerAsBarsReceiver(ods, req, res, Buffer.concat(chunks).toString('utf8'));
      let bundle: MessageBundle | undefined;
      try {
        bundle = JSON.parse(Buffer.concat(chunks).toString('utf8')) as MessageBundle;
      } catch {
        bundle = undefined;
      }
      const header = bundle?.entry?.[0]?.resource;
      const event = header?.resourceType === 'MessageHeader' ? (header.eventCoding?.code ?? '') : '';
      const requestId = String(req.headers['x-request-id'] ?? '');
      const correlationId = String(req.headers['x-correlation-id'] ?? '');
      const seen = (attempts.get(bundle?.id ?? '') ?? 0) + 1;
      attempts.set(bundle?.id ?? '', seen);
      let status = 200;
      if (req.method !== 'POST' || operation !== '$process-message' || !bundle?.id) status = 400;
      else if (down.has(behaviour) || behaviour === 'wellbeing-line') status = 503;
      else if (behaviour === 'mental-health' && seen <= FLAKY_FAILURES_PER_MESSAGE) status = 503;
      received.push({ ods, behaviour, bundleId: bundle?.id ?? '', requestId, correlationId, status, event });
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
      if (
        status === 200 &&
        seen === 1 &&
        (options.answer ?? true) &&
        behaviour === 'community-nursing' &&
        event === 'servicerequest-request'
      ) {
        later(ANSWER_AFTER_MS, () => answer(ods, bundle!.id!, correlationId, 'accepted'));
        later(COMPLETE_AFTER_MS, () => answer(ods, bundle!.id!, correlationId, 'completed'));
      }
    });
  });
  const answerAsBarsReceiver = async (ods: string, req: IncomingMessage, res: ServerResponse, body: string) => {
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
    );
    const answer = down.has('bars-pharmacy')
      ? {
          status: 503,
          headers: { 'content-type': FHIR_JSON },
          body: barsOutcome('REC_SERVER_ERROR', 'simulated receiver unavailable', 'transient'),
        }
      : await pharmacy(ods).answer({ method: req.method ?? 'GET', headers, body });
    let bundle: MessageBundle | undefined;
    try {
      bundle = JSON.parse(body) as MessageBundle;
    } catch {
      bundle = undefined;
    }
    const header = bundle?.entry?.[0]?.resource;
    received.push({
      ods,
      behaviour: 'bars-pharmacy',
      bundleId: bundle?.id ?? '',
      requestId: headers['x-request-id'] ?? '',
      correlationId: headers['x-correlation-id'] ?? '',
      status: answer.status,
      event: header?.resourceType === 'MessageHeader' ? (header.eventCoding?.code ?? '') : '',
      headers,
    });
    res.writeHead(answer.status, answer.headers);
    res.end(JSON.stringify(answer.body));
  };
  const later = (ms: number, fn: () => Promise<void>) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn().catch((error: Error) => console.warn(`simulated receiver could not answer: ${error.message}`));
    }, ms);
    timers.add(timer);
  };
  const answer = async (
    ods: string,
    originalId: string,
    correlationId: string,
    taskStatus: 'accepted' | 'completed',
  ) => {
    const message = responseMessage({ receiverOds: ods, originalMessageId: originalId, taskStatus });
    const response = await fetch(`${options.hubBaseUrl()}/$process-message`, {
      method: 'POST',
      headers: {
        'content-type': FHIR_JSON,
        'x-request-id': randomUUID(),
        'x-correlation-id': correlationId,
        ...(await options.tokens.headers(ods, 'receiver')),
      },
      body: JSON.stringify(message),
    });
    if (!response.ok) throw new Error(`hub answered ${response.status}: ${await response.text()}`);
  };
  await new Promise<void>((resolve, reject) =>
    server.once('error', reject).listen(options.port, '127.0.0.1', () => resolve()),
  );
  return {
    origin: `http://localhost:${(server.address() as AddressInfo).port}`,
    received,
    setDown: (behaviour, isDown) => (isDown ? down.add(behaviour) : down.delete(behaviour)),
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
