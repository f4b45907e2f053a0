import { describe, expect, it, vi } from 'vitest';
import { USER_SESSION_SECONDS } from '../../core/identity/sign-in.js';
import { PERMIT_LEASE } from '../../core/identity/throttling.js';
import {
  ACCESS_TOKEN_SECONDS,
  CLOCK_SKEW_SECONDS,
  IdentityService,
  SESSION_IDLE_SECONDS,
} from '../../core/identity/tokens.js';
import { LOCAL_OPS_ODS } from '../../local/identities.js';
import { testDependencies } from '../support/in-memory.js';

const aUser = { userId: 'ops-user', organisation: LOCAL_OPS_ODS, roles: ['ops' as const] };

describe('a hub access token, checked on every request', () => {
  it('says the same on each request until it expires, then is refused, however often it was checked', async () => {
    // Prepare: a clock the test moves
    const now = new Date('2026-12-02T10:00:00Z');
    const hub = testDependencies([], undefined, now);
    const { access_token } = await hub.identity.issueUserToken(aUser);
    // Act: checked, and checked again
    const first = await hub.identity.verify(access_token);
    first.roles.push('sender'); // what a caller does with its answer changes nothing kept
    const again = await hub.identity.verify(access_token);
    // Assess
    expect(again).toEqual({
      subject: 'ops-user',
      kind: 'user',
      organisation: LOCAL_OPS_ODS,
      roles: ['ops'],
      requestsPerWindow: expect.any(Number),
      sessionId: expect.any(String),
    });
    now.setTime(now.getTime() + (ACCESS_TOKEN_SECONDS + CLOCK_SKEW_SECONDS - 1) * 1000);
    await expect(hub.identity.verify(access_token)).resolves.toMatchObject({ subject: 'ops-user' });
    now.setTime(now.getTime() + 1000);
    await expect(hub.identity.verify(access_token)).rejects.toThrow(/expired/);
  });

  it('refuses a token altered after it was checked once', async () => {
    const hub = testDependencies([]);
    const { access_token } = await hub.identity.issueUserToken(aUser);
    await hub.identity.verify(access_token);
    const [header, payload, signature] = access_token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['ops', 'sender'] })).toString('base64url');
    await expect(hub.identity.verify(`${header}.${forged}.${signature}`)).rejects.toThrow();
  });
});

describe("a client's requests counted against its rate", () => {
  it('take one lease of permits for each PERMIT_LEASE requests, however many arrive at once', async () => {
    // Prepare
    const hub = testDependencies([]);
    const takes = vi.spyOn(hub.identityStore, 'take');
    const client = {
      subject: 'practice-system',
      kind: 'client' as const,
      organisation: 'Z9W001',
      roles: ['sender' as const],
      requestsPerWindow: 200,
    };
    // Act: a burst of three leases' worth, all at once
    const answers = await Promise.all(Array.from({ length: 3 * PERMIT_LEASE }, () => hub.throttling.throttle(client)));
    // Assess: all admitted, three shared writes, every permit counted once
    expect(answers.every((wait) => wait === undefined)).toBe(true);
    expect(takes).toHaveBeenCalledTimes(3);
    expect(takes.mock.calls.map((call) => call[4])).toEqual([PERMIT_LEASE, PERMIT_LEASE, PERMIT_LEASE]);
  });
});

describe("a person's session", () => {
  it('ends at sign-out: its token is refused from then on, on every instance', async () => {
    const hub = testDependencies([]);
    // Another instance of the hub: the same identity table and key, none of this instance's memory.
    const other = new IdentityService(
      { issuer: hub.self.baseUrl, opsOrganisations: hub.opsOrganisations, requestsPerWindow: 100 },
      hub.identityAdapters,
      { clock: hub.clock, log: hub.log, metric: () => undefined },
    );
    const { access_token } = await hub.identity.issueUserToken(aUser, USER_SESSION_SECONDS);
    await expect(other.verify(access_token)).resolves.toMatchObject({ subject: 'ops-user' });
    // Act: signed out through one instance
    await hub.identity.endSession(access_token);
    // Assess: refused by both, though the token itself has hours left
    await expect(hub.identity.verify(access_token)).rejects.toThrow(/signed out/);
    await expect(other.verify(access_token)).rejects.toThrow(/signed out/);
  });

  it(`ends after ${SESSION_IDLE_SECONDS / 60} minutes unused; each use keeps it going`, async () => {
    const now = new Date('2026-12-02T10:00:00Z');
    const hub = testDependencies([], undefined, now);
    const { access_token } = await hub.identity.issueUserToken(aUser, USER_SESSION_SECONDS);
    for (let i = 0; i < 4; i++) {
      now.setTime(now.getTime() + (SESSION_IDLE_SECONDS - 60) * 1000);
      await expect(hub.identity.verify(access_token)).resolves.toMatchObject({ subject: 'ops-user' });
    }
    now.setTime(now.getTime() + (SESSION_IDLE_SECONDS + 1) * 1000);
    await expect(hub.identity.verify(access_token)).rejects.toThrow(/idle/);
  });
});
