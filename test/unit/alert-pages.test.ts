import { describe, expect, it } from 'vitest';
import { listAlerts } from '../../core/services/alerts.js';
import { testDependencies } from '../support/in-memory.js';
import { testNetwork } from '../support/networks.js';

const OPS = { organisation: 'Z8OPS1', ops: true, roles: ['ops'] as const };
const at = (minute: number) => new Date(Date.UTC(2026, 11, 5, 9, minute));

describe("ops' alerts, a page at a time", () => {
  it('lists the open newest first, then those cleared lately, each once, and says how many are open', async () => {
    // Prepare: five alerts raised a minute apart; the first two cleared since.
    const hub = testDependencies([testNetwork()], undefined, at(30));
    const keys = [1, 2, 3, 4, 5].map((n) => `delivery-failed:m${n}`);
    for (const [n, key] of keys.entries())
      await hub.operations.raiseAlert({ key, kind: 'delivery-failed', summary: 'Not delivered.' }, at(n));
    await hub.operations.clearAlert(keys[0]!, at(10));
    await hub.operations.clearAlert(keys[1]!, at(11));
    // Act: every page of two.
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await listAlerts(hub, OPS, { _count: '2', ...(cursor ? { cursor } : {}) });
      pages.push(page);
      cursor = page.next;
    } while (cursor && pages.length < 10);
    // Assess: open m5, m4, m3 (newest raised first), then cleared m2, m1 (newest cleared first); no empty page.
    expect(pages.map((p) => p.alerts.map((a) => a.key.slice(-2)))).toEqual([['m5', 'm4'], ['m3', 'm2'], ['m1']]);
    expect(pages.every((p) => p.open === 3)).toBe(true);
  });

  it('refuses a cursor it did not give (400)', async () => {
    const hub = testDependencies([testNetwork()]);
    await expect(listAlerts(hub, OPS, { cursor: 'nonsense' })).rejects.toMatchObject({ status: 400 });
  });
});
