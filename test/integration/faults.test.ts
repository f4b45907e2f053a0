import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryQueue } from '../../core/ports.js';
import { type LocalHub, startLocalHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { referralMessage } from '../../local/sample-messages.js';
import { failingOn } from '../support/faults.js';
import { eventually, messageStatus, sendMessage, untilStatus } from '../support/http.js';

/** Further than the sweep's stuck-after time (45 minutes). */
const AN_HOUR_MS = 60 * 60 * 1000;

describe('faults handed to the hub through its composition root', () => {
  let hub: LocalHub;
  let queue: DeliveryQueue & { calls: number };
  let clockOffsetMs = 0;
  beforeAll(async () => {
    hub = await startLocalHub({
      port: 0,
      receiversPort: false,
      adapters: (adapters) => {
        queue = failingOn(adapters.queue, 'enqueue', 1);
        return { ...adapters, queue, clock: { now: () => new Date(Date.now() + clockOffsetMs) } };
      },
    });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('a referral whose enqueue failed is still accepted, stays visible, and the sweep delivers it', async () => {
    // Act: the first enqueue of the hub fails.
    const referral = referralMessage();
    const answer = await sendMessage(hub.baseUrl, referral);
    // Assess: stored durably (202), left 'accepted' with the failure counted for the alarm.
    expect(answer.status).toBe(202);
    expect(queue.calls).toBe(1);
    expect((await messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE)).status).toBe('accepted');
    expect(hub.metrics.get('EnqueueFailed')).toBe(1);
    // Act: an hour later, the scheduled sweep runs.
    clockOffsetMs = AN_HOUR_MS;
    await hub.sweep();
    clockOffsetMs = 0; // back to now: the practice's access token is checked against the hub's clock
    // Assess: re-enqueued and delivered to the receiver's mailbox, the timeline saying why.
    const record = await eventually(
      () => messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE),
      untilStatus('in-mailbox'),
    );
    expect(record.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['requeued', 'in-mailbox']));
    expect(hub.metrics.get('MessageRequeued')).toBe(1);
  });
});
