import { randomUUID } from 'node:crypto';
import { endUserOrganisationHeader } from '../../core/auth.js';
import { FHIR_JSON } from '../../core/fhir/systems.js';
import type { MessageRecord } from '../../core/lifecycle/message-record.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';

/** HTTP calls to a running hub as a practice, a receiver or ops would make them. */

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export const asOrganisation = (ods: string) => ({ 'nhsd-end-user-organisation': endUserOrganisationHeader(ods) });

export async function call<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; rawBody?: string } = {},
): Promise<Answer<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
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
  requestId?: string;
  correlationId?: string;
  headers?: Record<string, string>;
}

/** POST [base]/$process-message with BaRS headers, as the given organisation. */
export function sendMessage(baseUrl: string, bundle: unknown, options: SendOptions = {}): Promise<Answer> {
  return call(baseUrl, 'POST', '/$process-message', {
    headers: {
      'content-type': FHIR_JSON,
      accept: FHIR_JSON,
      'x-request-id': options.requestId ?? randomUUID(),
      'x-correlation-id': options.correlationId ?? randomUUID(),
      ...asOrganisation(options.sender ?? SAMPLE_PRACTICE),
      ...options.headers,
    },
    body: bundle,
  });
}

export async function messageStatus(baseUrl: string, messageId: string, as: string): Promise<MessageRecord> {
  const answer = await call<MessageRecord>(baseUrl, 'GET', `/messages/${messageId}`, { headers: asOrganisation(as) });
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
