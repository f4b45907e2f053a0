/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../core/api/responses.js';
import { LOCAL_OPS_ODS, type LocalHub, startLocalHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { sampleClientId } from '../../local/sample-clients.js';
import { referralMessage } from '../../local/sample-messages.js';
import { buildWebApp } from '../../local/web-app.js';
import { ROUTE_TABLE } from '../../web/src/route-table.js';
import { expectAccessible, launchBrowser, signedIn } from '../support/browser.js';
import { eventually, messageStatus, sendMessage, untilStatus } from '../support/http.js';

const SOCIAL_PRESCRIBING = 'Z9W101';
/** A tablet, and a phone: no page of any role may scroll sideways at either. */
const WIDTHS = [768, 390] as const;
const PEOPLE: Record<Role, string> = {
  sender: sampleClientId(SAMPLE_PRACTICE, 'sender'),
  receiver: sampleClientId(SOCIAL_PRESCRIBING, 'receiver'),
  ops: sampleClientId(LOCAL_OPS_ODS, 'ops'),
};

describe('every page of every role, on a tablet and a phone', () => {
  let hub: LocalHub;
  let browser: Browser;
  let referralId: string;
  beforeAll(async () => {
    await buildWebApp();
    hub = await startLocalHub({ port: 0, receiversPort: 0 });
    // A referral in social prescribing's inbox: the pages with an id show it.
    const referral = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' });
    expect((await sendMessage(hub.baseUrl, referral, { sender: SAMPLE_PRACTICE })).status).toBe(202);
    await eventually(() => messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE), untilStatus('in-mailbox'));
    referralId = referral.id!;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it("starts a practice at what a practice does (the referrals it sent), not at a team's inbox", async () => {
    const { context, page } = await signedIn(browser, hub.baseUrl, PEOPLE.sender);
    await page.locator('main').getByRole('link', { name: 'Referrals you sent' }).waitFor();
    expect(await page.locator('main').getByRole('link', { name: 'Inbox' }).count()).toBe(0);
    await context.close();
  });

  it.each(Object.keys(PEOPLE) as Role[])(
    'fits every page the %s role has at 768 and 390 px, with nothing an accessibility check finds serious',
    async (role) => {
      // Prepare
      const { context, page } = await signedIn(browser, hub.baseUrl, PEOPLE[role]);
      const paths = ROUTE_TABLE.filter((route) => (route.roles as readonly Role[]).includes(role)).map((route) =>
        route.path.replace(':id', referralId),
      );
      const overflowing: string[] = [];
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        for (const path of paths) {
          // Act
          await page.goto(`${hub.baseUrl}/app${path === '/' ? '/' : path}`);
          await page.locator('main h1').first().waitFor();
          await page.waitForLoadState('networkidle');
          // Assess
          const wider = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          if (wider > 0) overflowing.push(`${path} at ${width} px: ${wider} px too wide`);
          // Every item of the header's menu stays on screen (wrapping, never cut off).
          const offScreen = await page.locator('.nhsuk-header__navigation-link').evaluateAll((links) =>
            links
              .filter((link) => {
                const box = link.getBoundingClientRect();
                return box.width === 0 || box.right > window.innerWidth;
              })
              .map((link) => link.textContent),
          );
          if (offScreen.length)
            overflowing.push(`${path} at ${width} px: menu items off screen: ${offScreen.join(', ')}`);
          if (width === WIDTHS[0]) await expectAccessible(page);
        }
      }
      expect(overflowing).toEqual([]);
      await context.close();
    },
    180_000,
  );
});
