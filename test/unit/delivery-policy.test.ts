import { describe, expect, it } from 'vitest';
import {
  classifyReceiverAnswer,
  DEFAULT_DELIVERY_POLICY,
  retryDelaySeconds,
} from '../../core/lifecycle/delivery-policy.js';

describe("classifying a receiver's answer", () => {
  it.each([
    [200, 'success'],
    [201, 'success'],
    [202, 'success'],
    [204, 'success'],
  ])('%i is success', (status, expected) => {
    expect(classifyReceiverAnswer(status)).toBe(expected);
  });
  it.each([[408], [429], [500], [502], [503], [504]])('%i is transient: retry later', (status) => {
    expect(classifyReceiverAnswer(status)).toBe('transient');
  });
  it.each([[400], [401], [403], [404], [422]])('%i is permanent: do not retry', (status) => {
    expect(classifyReceiverAnswer(status)).toBe('permanent');
  });
  it('409 REC_CONFLICT duplicate means the receiver already has it: delivered', () => {
    expect(classifyReceiverAnswer(409, ['duplicate'])).toBe('duplicate');
    expect(classifyReceiverAnswer(409)).toBe('duplicate');
  });
  it('409 for any other conflict is permanent', () => {
    expect(classifyReceiverAnswer(409, ['conflict'])).toBe('permanent');
  });
  it('no answer at all (timeout, connection refused) is transient', () => {
    expect(classifyReceiverAnswer(undefined)).toBe('transient');
  });
});

describe('retry delays', () => {
  const policy = { ...DEFAULT_DELIVERY_POLICY, baseDelaySeconds: 30, maxDelaySeconds: 1800 };

  it('grow exponentially with the attempt number', () => {
    const top = (attempt: number) => retryDelaySeconds(attempt, policy, () => 1);
    expect([1, 2, 3, 4].map(top)).toEqual([30, 60, 120, 240]);
  });

  it('are jittered between half and all of the ceiling', () => {
    expect(retryDelaySeconds(3, policy, () => 0)).toBe(60);
    expect(retryDelaySeconds(3, policy, () => 0.5)).toBe(90);
  });

  it('never exceed the maximum delay', () => {
    expect(retryDelaySeconds(20, policy, () => 1)).toBe(1800);
  });

  it('are never zero, so a retry never spins', () => {
    expect(retryDelaySeconds(1, { ...policy, baseDelaySeconds: 0 }, () => 0)).toBe(1);
  });
});

describe("a receiver's Retry-After", () => {
  const policy = { ...DEFAULT_DELIVERY_POLICY, baseDelaySeconds: 2, maxDelaySeconds: 600 };
  it('is honoured when longer than the backoff', () => {
    expect(retryDelaySeconds(1, policy, () => 0, 120)).toBe(120);
  });
  it('never shortens the backoff, and never passes the longest delay', () => {
    expect(retryDelaySeconds(5, policy, () => 1, 1)).toBe(32);
    expect(retryDelaySeconds(1, policy, () => 0, 86_400)).toBe(600);
  });
});
