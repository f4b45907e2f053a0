import { randomUUID } from 'node:crypto';
import type { Role } from '../../core/auth.js';
import { FHIR_JSON } from '../../core/fhir/systems.js';
import type { MessageRecord } from '../../core/lifecycle/message-record.js';
import { tokensOfRunningHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { readSampleClients } from '../../local/sample-clients.js';
import { TokenSource } from '../../local/token-client.js';

/** HTTP calls to a running hub as a practice, a receiver or ops would make them. */

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Hubs in other processes (started by test/support/hub-process.ts), by base URL. */
const otherProcesses = new Map<string, TokenSource>();

/** Signs in to a hub running in another process as its sample clients (their keys are in its data directory). */
export function knowHubProcess(baseUrl: string, dataDir: string): void {
  otherProcesses.set(baseUrl, new TokenSource(() => baseUrl, readSampleClients(dataDir)));
}

/**
 * The Authorization header of an organisation's sample client on the hub at `baseUrl`, with a token from the hub's
 * real token endpoint. Without a role, the organisation's usual one: sender for a practice, receiver for a partner.
 */
export async function asOrganisation(baseUrl: string, ods: string, role?: Role): Promise<{ authorization: string }> {
  const tokens = tokensOfRunningHub(baseUrl) ?? otherProcesses.get(baseUrl);
  if (!tokens) throw new Error(`No hub at ${baseUrl} is known to the tests`);
  return tokens.headers(ods, role);
}

export async function call<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; rawBody?: string } = {},
): Promise<Answer<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    redirect: 'manual',
    headers: options.headers ?? {},
    ...(options.rawBody !== undefined
      ? { body: options.rawBody }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

export interface SendOptions {
  sender?: string;
  /** The sender's role (its usual one when absent). */
  role?: Role;
  requestId?: string;
  correlationId?: string;
  headers?: Record<string, string>;
}

/** POST [base]/$process-message with BaRS headers, as the given organisation. */
export async function sendMessage(baseUrl: string, bundle: unknown, options: SendOptions = {}): Promise<Answer> {
  return call(baseUrl, 'POST', '/$process-message', {
    headers: {
      'content-type': FHIR_JSON,
      accept: FHIR_JSON,
      'x-request-id': options.requestId ?? randomUUID(),
      'x-correlation-id': options.correlationId ?? randomUUID(),
      ...(await asOrganisation(baseUrl, options.sender ?? SAMPLE_PRACTICE, options.role)),
      ...options.headers,
    },
    body: bundle,
  });
}

export async function messageStatus(baseUrl: string, messageId: string, as: string): Promise<MessageRecord> {
  const answer = await call<MessageRecord>(baseUrl, 'GET', `/messages/${messageId}`, {
    headers: await asOrganisation(baseUrl, as),
  });
  if (answer.status !== 200)
    throw new Error(`status of ${messageId}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Polls until the predicate holds (or fails the test with the last value seen). */
export async function eventually<T>(
  read: () => Promise<T>,
  until: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!until(last)) {
    if (Date.now() > deadline)
      throw new Error(
        `condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last, null, 1).slice(0, 3000)}`,
      );
    await new Promise((r) => setTimeout(r, 200));
    last = await read();
  }
  return last;
}

export const untilStatus =
  (...statuses: string[]) =>
  (record: MessageRecord) =>
    statuses.includes(record.status);
