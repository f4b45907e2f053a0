import { describe, expect, it } from 'vitest';
import {
  classifyHttpStatus,
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
    expect(classifyHttpStatus(status)).toBe(expected);
  });
  it.each([[408], [429], [500], [502], [503], [504]])('%i is transient: retry later', (status) => {
    expect(classifyHttpStatus(status)).toBe('transient');
  });
  it.each([[400], [401], [403], [404], [409], [422]])('%i is permanent: do not retry', (status) => {
    expect(classifyHttpStatus(status)).toBe('permanent');
  });
  it('no answer at all (timeout, connection refused) is transient', () => {
    expect(classifyHttpStatus(undefined)).toBe('transient');
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
