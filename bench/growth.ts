import { randomUUID } from 'node:crypto';
import { PENDING } from '../core/lifecycle/delivery-lifecycle.js';
import type { MessageRecord } from '../core/lifecycle/message-record.js';
import { startLocalHub } from '../local/hub.js';
import { LOCAL_OPS_ODS, SAMPLE_PRACTICE } from '../local/identities.js';
import { referralMessage } from '../local/sample-messages.js';
import { median, round } from './measure.js';

/** Messages the store grows to, in steps; each listing is timed at each step. */
const SIZES = [2_000, 20_000] as const;
/** Requests timed per listing at each size (the median is the figure). */
export const TIMED_REQUESTS = 15;
/** Messages written at once while the store grows. */
const WRITERS = 16;
/** One alert raised for every this many messages the store grows by (each a delivery that failed). */
const MESSAGES_PER_ALERT = 4;
/** The receiving team the sample referrals go to (social prescribing, a mailbox). */
const RECEIVER = 'Z9W101';

export interface Listing {
  name: string;
  /** Median milliseconds at each size, in SIZES order. */
  ms: number[];
  /** The largest size's time over the smallest's. */
  ratio: number;
  /** What the first page held at the largest size (a listing that gives up reads as an empty page). */
  itemsAtLargest: number;
}

export interface Growth {
  sizes: readonly number[];
  listings: Listing[];
  worstRatio: number;
}

/**
 * 6. The listings as the store grows: the local hub with a week of sample care-home Tasks, then thousands of referrals
 * newer than them (and an open alert for every few), each listing a page (as ops, a practice and a team would ask) timed at each size. A listing that
 * reads more as the store grows shows here as a ratio above 1; one that gives up shows as an empty page.
 */
export async function growth(): Promise<Growth> {
  const hub = await startLocalHub({
    port: 0,
    receiversPort: false,
    sampleTasks: true,
    requestsPerWindow: 1_000_000,
    logLevel: 'ERROR',
  });
  try {
    const template = await oneRealReferral(hub);
    const as = async (organisation: string, role: 'sender' | 'receiver' | 'ops') =>
      hub.tokens.headers(organisation, role);
    const [ops, practice, team] = [
      await as(LOCAL_OPS_ODS, 'ops'),
      await as(SAMPLE_PRACTICE, 'sender'),
      await as(RECEIVER, 'receiver'),
    ];
    const get = (path: string, headers: Record<string, string>) => async () => {
      const response = await fetch(`${hub.baseUrl}${path}`, { headers });
      const body = (await response.json()) as { messages?: unknown[]; entry?: unknown[]; alerts?: unknown[] };
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      return (body.messages ?? body.entry ?? body.alerts ?? []).length;
    };
    const post = (path: string, body: unknown, headers: Record<string, string>) => async () => {
      const response = await fetch(`${hub.baseUrl}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      return ((await response.json()) as { messages: unknown[] }).messages.length;
    };
    const listings: Record<string, () => Promise<number>> = {
      'ops: every message (GET /messages)': get('/messages?_count=50', ops),
      'ops: every care-home Task (GET /Task)': get('/Task?_count=20', ops),
      'ops: the alerts (GET /ops/alerts)': get('/ops/alerts', ops),
      "ops: a patient's messages (POST /messages/$search)": post(
        '/messages/$search',
        { patient: template.patient?.nhsNumber },
        ops,
      ),
      'a practice: what it sent (GET /messages)': get('/messages?_count=50', practice),
      'a team: what it received (GET /messages?box=received)': get('/messages?box=received&_count=50', team),
      'a team: its mailbox (GET /mailbox)': get('/mailbox?_count=50', team),
      'the local hub: what is owed a delivery at start': async () =>
        (await hub.core.store.listAllInStatuses(PENDING)).length,
    };
    const times = Object.fromEntries(Object.keys(listings).map((name) => [name, [] as number[]]));
    const items: Record<string, number> = {};
    let stored = 0;
    for (const size of SIZES) {
      await grow(hub.core.store, template, stored, size);
      for (let n = stored / MESSAGES_PER_ALERT; n < size / MESSAGES_PER_ALERT; n++)
        await hub.core.operations.raiseAlert(
          { key: `delivery-failed:bench-${n}`, kind: 'delivery-failed', summary: 'A referral could not be delivered.' },
          new Date(),
        );
      stored = size;
      for (const [name, list] of Object.entries(listings)) {
        const ms: number[] = [];
        for (let i = 0; i < TIMED_REQUESTS; i++) {
          const start = performance.now();
          items[name] = await list();
          ms.push(performance.now() - start);
        }
        times[name]!.push(round(median(ms), 2));
      }
    }
    const result = Object.entries(times).map(([name, ms]) => ({
      name,
      ms,
      ratio: round(ms.at(-1)! / ms[0]!, 2),
      itemsAtLargest: items[name] ?? 0,
    }));
    return { sizes: SIZES, listings: result, worstRatio: Math.max(...result.map((l) => l.ratio)) };
  } finally {
    await hub.stop();
  }
}

/** A referral sent through the hub as a practice sends one, and its record and Bundle as stored once delivered. */
async function oneRealReferral(hub: Awaited<ReturnType<typeof startLocalHub>>) {
  const response = await fetch(`${hub.baseUrl}/$process-message`, {
    method: 'POST',
    headers: {
      'content-type': 'application/fhir+json',
      'x-request-id': randomUUID(),
      'x-correlation-id': randomUUID(),
      ...(await hub.tokens.headers(SAMPLE_PRACTICE, 'sender')),
    },
    body: JSON.stringify(referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' })),
  });
  const { id } = (await response.json()) as { id?: string };
  const messageId = id ?? (await hub.core.store.listBySender(SAMPLE_PRACTICE, 1)).items[0]!.messageId;
  while ((await hub.core.store.get(messageId))?.status !== 'in-mailbox') await new Promise((r) => setTimeout(r, 20));
  return (await hub.core.store.get(messageId))!;
}

/** The store grown from `from` to `to` messages: copies of the real referral, each newer than the last, delivered. */
async function grow(
  store: Awaited<ReturnType<typeof startLocalHub>>['core']['store'],
  template: MessageRecord,
  from: number,
  to: number,
) {
  const bundle = (await store.getBundle(template.messageId))!;
  const start = Date.now();
  let next = from;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < to) {
        const n = next++;
        const at = new Date(start + n).toISOString();
        const messageId = randomUUID();
        const record: MessageRecord = {
          ...template,
          messageId,
          requestId: randomUUID(),
          correlationId: randomUUID(),
          status: 'delivered',
          createdAt: at,
          updatedAt: at,
        };
        await store.create(record, { ...bundle, id: messageId });
      }
    }),
  );
}
