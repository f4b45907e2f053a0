import { describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../core/lifecycle/message-record.js';
import {
  ANSWER_BUCKET,
  DELIVERY_BUCKET,
  outcomesCsv,
  quantileSeconds,
  TRAFFIC_SHARDS,
  timeBucket,
  trafficOfChange,
  trafficRange,
  trafficShard,
} from '../../core/services/traffic.js';

const RECEIVED_AT = '2026-12-02T10:15:00.000Z';

/** A referral as the store holds it, received at RECEIVED_AT, with a last timeline event at `at`. */
function referral(changes: Partial<MessageRecord> = {}, at = RECEIVED_AT): MessageRecord {
  return {
    messageId: 'd7a3f1de-6d0c-4a4b-9a77-0a1b2c3d4e5f',
    kind: 'request',
    event: 'servicerequest-request',
    requestId: 'r',
    correlationId: 'c',
    senderOrganisation: 'Z9W001',
    destination: { organisation: 'Z9W101', serviceId: 'mk-social-prescribing', channel: 'mailbox' },
    route: { networkId: 'watling-street-pcn', ruleId: 'sp', category: 'social-prescribing', explanation: [] },
    status: 'accepted',
    attempts: 0,
    replays: 0,
    createdAt: RECEIVED_AT,
    updatedAt: at,
    timeline: [{ at, type: 'received' }],
    ...changes,
  };
}

describe('the traffic counters of a change', () => {
  it('counts a new referral as received, in the hour it arrived, by network, service category and destination', () => {
    const increment = trafficOfChange({ after: referral() });
    expect(increment).toEqual({
      shard: trafficShard(referral().messageId),
      dimension: {
        hour: '2026-12-02T10',
        network: 'watling-street-pcn',
        category: 'social-prescribing',
        service: 'mk-social-prescribing',
        destination: 'Z9W101',
      },
      counts: { received: 1 },
    });
  });

  it('counts a delivery once, with how long it took, in the hour it happened', () => {
    const at = '2026-12-02T11:00:04.000Z';
    const increment = trafficOfChange({
      before: { status: 'delivering' },
      after: referral({ status: 'in-mailbox' }, at),
    });
    expect(increment?.dimension.hour).toBe('2026-12-02T11');
    expect(increment?.counts).toEqual({ delivered: 1, [`${DELIVERY_BUCKET}${timeBucket(45 * 60 + 4)}`]: 1 });
    // Collected afterwards: already counted as delivered.
    expect(trafficOfChange({ before: { status: 'in-mailbox' }, after: referral({ status: 'acknowledged' }) })).toBe(
      undefined,
    );
  });

  it("counts the receiver's first answer, whether it took the work on, and a rejection by its reason", () => {
    const at = '2026-12-02T12:15:00.000Z';
    const rejected = trafficOfChange({
      before: { status: 'in-mailbox' },
      after: referral({ status: 'in-mailbox', outcome: 'rejected', outcomeReason: 'Outside our area' }, at),
    });
    expect(rejected?.counts).toEqual({
      answered: 1,
      [`${ANSWER_BUCKET}${timeBucket(2 * 3600)}`]: 1,
      rejected: 1,
      'rejectedBecause:Outside our area': 1,
    });
    const completedLater = trafficOfChange({
      before: { status: 'delivered', outcome: 'accepted' },
      after: referral({ status: 'delivered', outcome: 'completed' }, at),
    });
    expect(completedLater?.counts).toEqual({ completed: 1 });
  });

  it("ignores answers and the hub's notices: only requests are traffic", () => {
    expect(trafficOfChange({ after: referral({ kind: 'response' }) })).toBeUndefined();
    expect(trafficOfChange({ after: referral({ kind: 'notification' }) })).toBeUndefined();
  });

  it('spreads messages over every shard', () => {
    const shards = new Set(Array.from({ length: 200 }, (_, i) => trafficShard(`message-${i}`)));
    expect(shards.size).toBe(TRAFFIC_SHARDS);
  });
});

describe('reading the counters', () => {
  it('gives a quantile as the bound of the bucket it falls in', () => {
    const counts = { [`${DELIVERY_BUCKET}0`]: 90, [`${DELIVERY_BUCKET}${timeBucket(60)}`]: 10 };
    expect(quantileSeconds(counts, DELIVERY_BUCKET, 0.5)).toBe(1);
    expect(quantileSeconds(counts, DELIVERY_BUCKET, 0.95)).toBe(60);
    expect(quantileSeconds({}, DELIVERY_BUCKET, 0.5)).toBeUndefined();
  });

  it('reads the last 24 hours by default, per hour; longer ranges per day; at most a month', () => {
    const now = new Date('2026-12-02T12:00:00Z');
    expect(trafficRange(now, {})).toMatchObject({ from: new Date('2026-12-01T12:00:00Z'), to: now, step: 'hour' });
    expect(trafficRange(now, { from: '2026-11-25T12:00:00Z' }).step).toBe('day');
    expect(() => trafficRange(now, { from: '2026-10-01T00:00:00Z' })).toThrow('Bad range');
    expect(() => trafficRange(now, { from: 'last week' })).toThrow('Bad range');
  });

  it('writes outcomes as CSV a spreadsheet opens safely: quoted where needed, no formulas', () => {
    const csv = outcomesCsv([
      {
        network: 'n',
        networkName: 'North, East',
        category: 'c',
        categoryName: '=HYPERLINK("x")',
        sent: 2,
        accepted: 1,
        rejected: 1,
        rejectedBecause: { 'No capacity': 1 },
        completed: 0,
      },
    ]);
    expect(csv.split('\r\n')[1]).toBe(`"North, East",n,"'=HYPERLINK(""x"")",2,1,1,No capacity: 1,0,`);
  });
});
