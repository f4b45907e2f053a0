/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_OPS_ODS, type LocalHub, startLocalHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { SAMPLE_NETWORKS_DIR } from '../../local/network-files.js';
import { sampleClientId } from '../../local/sample-clients.js';
import { referralMessage } from '../../local/sample-messages.js';
import { buildWebApp } from '../../local/web-app.js';
import { expectAccessible, launchBrowser, screenshot, signedIn as signedInAs } from '../support/browser.js';
import { eventually, messageStatus, sendMessage, untilStatus } from '../support/http.js';

const SOCIAL_PRESCRIBING = 'Z9W101';

describe('the web app, in a real browser against the local hub', () => {
  let hub: LocalHub;
  let browser: Browser;
  let failedId: string;
  let failedCase: string;
  let waitingId: string;

  beforeAll(async () => {
    await buildWebApp();
    hub = await startLocalHub({
      port: 0,
      receiversPort: 0,
      policy: { maxAttempts: 2, baseDelaySeconds: 1, maxDelaySeconds: 1 },
    });
    // A referral waiting in social prescribing's inbox, and one to the wellbeing line, whose endpoint is down.
    const waiting = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' });
    const failing = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'voluntary-sector' });
    for (const referral of [waiting, failing]) {
      const sent = await sendMessage(hub.baseUrl, referral, { sender: SAMPLE_PRACTICE });
      expect(sent.status).toBe(202);
      failedCase = sent.headers.get('x-correlation-id')!;
    }
    waitingId = waiting.id!;
    failedId = failing.id!;
    await eventually(() => messageStatus(hub.baseUrl, failedId, SAMPLE_PRACTICE), untilStatus('failed'));
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  const signedIn = (person: string, path?: string) => signedInAs(browser, hub.baseUrl, person, path);

  it('asks a visitor to sign in, and keeps no token where the page can read it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${hub.baseUrl}/app/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'sign-in');
    // The identity provider's own page: accessible, and nothing loaded from any other host (no web font, no CDN).
    const hosts = new Set<string>();
    page.on('request', (request) => hosts.add(new URL(request.url()).host));
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel("Sample person's id").waitFor();
    await expectAccessible(page);
    await screenshot(page, 'sign-in-identity-provider');
    expect([...hosts]).toEqual([new URL(hub.baseUrl).host]);
    await context.close();
  });

  it('lets ops find a failed referral, read what happened, and send it again', async () => {
    const { context, page } = await signedIn(sampleClientId(LOCAL_OPS_ODS, 'ops'), '/app/messages?status=failed');
    // The session is an HttpOnly cookie: nothing in the page's storage.
    expect(await page.evaluate(() => [document.cookie, localStorage.length, sessionStorage.length])).toEqual([
      '',
      0,
      0,
    ]);
    await page.getByRole('heading', { name: 'Failed messages' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'MK Wellbeing Line' });
    await row.getByText('Failed').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'ops-failed-messages');

    await row.getByRole('link', { name: 'Referral' }).click();
    await page.waitForURL(`${hub.baseUrl}/app/messages/${failedId}`);
    await page.getByRole('heading', { name: 'What happened' }).waitFor();
    // Each attempt with what the receiver answered; the message as sent, the patient reduced to an id.
    await page
      .getByRole('table', { name: 'Each delivery attempt, oldest first' })
      .getByText(/HTTP 503/)
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Show the message as it was sent' }).click();
    const raw = page.getByLabel('The message as it was sent');
    await raw.getByText(/"resourceType": "MessageHeader"/).waitFor();
    expect(await raw.textContent()).not.toContain('9000000009');
    await expectAccessible(page);
    await screenshot(page, 'ops-message');

    await page.getByRole('button', { name: 'Send again' }).click();
    await page.getByText('Sent again. The referring practice has been told.').waitFor();
    const record = await messageStatus(hub.baseUrl, failedId, SAMPLE_PRACTICE);
    expect(record.timeline.some((e) => e.type === 'replayed')).toBe(true);
    await screenshot(page, 'ops-sent-again');
    await context.close();
  });

  it('shows ops the overview of traffic with charts, over the range they choose', async () => {
    const { context, page } = await signedIn(sampleClientId(LOCAL_OPS_ODS, 'ops'), '/app/overview');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    // The counters follow the stored changes: the two referrals sent before are counted.
    const received = page.locator('.nhsuk-card').filter({ hasText: 'Referrals and requests' });
    await received.getByText(/^[2-9]$/).waitFor();
    // Each figure says what it counts, and over which time.
    expect(await received.textContent()).toMatch(/Received in the last 24 hours.*delivered in the same time/);
    expect(await page.locator('.nhsuk-card').filter({ hasText: 'Time to deliver' }).textContent()).toMatch(
      /over the \d+ delivered in the last 24 hours/,
    );
    await page
      .getByRole('img', { name: /^Line chart: \d+ received/ })
      .locator('svg')
      .waitFor();
    await page.getByRole('row').filter({ hasText: 'MK Wellbeing Line' }).first().waitFor();
    await expectAccessible(page);
    await screenshot(page, 'ops-overview');
    await page.getByRole('link', { name: 'Last 7 days' }).click();
    await page.getByRole('heading', { name: 'Traffic per day' }).waitFor();
    await expectAccessible(page);
    await context.close();
  });

  it('shows ops the outcomes per network and service, to download, and the open alerts', async () => {
    const { context, page } = await signedIn(sampleClientId(LOCAL_OPS_ODS, 'ops'), '/app/outcomes');
    await page.getByRole('row').filter({ hasText: 'Social prescribing' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'ops-outcomes');
    const download = page.getByRole('link', { name: /Download these outcomes/ });
    const csv = await page.request.get(new URL((await download.getAttribute('href'))!, hub.baseUrl).href);
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect((await csv.text()).split('\r\n')[0]).toMatch(/^PCN,Network id,Service specification,Sent/);
    // The watch raises an alert for the delivery that failed.
    await hub.deadlines();
    await page.getByRole('link', { name: 'Alerts' }).first().click();
    const alert = page.getByRole('row').filter({ hasText: 'MK Wellbeing Line could not be delivered' });
    await alert.getByText('Open').waitFor();
    // Someone takes it in hand, and the rest of ops see who and what they are doing.
    await alert.getByLabel('What are you doing about it?').fill('Calling the wellbeing line');
    await alert.getByRole('button', { name: 'Take it in hand' }).click();
    await alert.getByText(/z9ops1-ops.*: Calling the wellbeing line/).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'ops-alerts');
    await context.close();
  });

  it("lets ops find a patient's messages by NHS number", async () => {
    const { context, page } = await signedIn(sampleClientId(LOCAL_OPS_ODS, 'ops'), '/app/messages');
    await page.getByLabel("Find a patient's messages by NHS number").fill('900 000 0009');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByRole('heading', { name: "A patient's messages" }).waitFor();
    await page.getByRole('row').filter({ hasText: 'MK Wellbeing Line' }).first().waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'Milton Keynes Social Prescribing' }).count()).toBeGreaterThan(
      0,
    );
    await expectAccessible(page);
    await screenshot(page, 'ops-patient-search');
    await context.close();
  });

  it('lets ops open a case by its correlation id, and see what is overdue', async () => {
    const { context, page } = await signedIn(sampleClientId(LOCAL_OPS_ODS, 'ops'), '/app/messages');
    await page.getByLabel('Find a case by its correlation id').fill(failedCase);
    await page.getByRole('button', { name: 'Find the case' }).click();
    await page.getByRole('heading', { name: 'A case' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'MK Wellbeing Line' }).first().waitFor();
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Overdue' }).click();
    await page.getByRole('heading', { name: 'Overdue' }).waitFor();
    await page.getByText('Nothing is overdue.').waitFor();
    await expectAccessible(page);
    await context.close();
  });

  it('explains to ops where a referral would go, and why', async () => {
    const { context, page } = await signedIn(sampleClientId(LOCAL_OPS_ODS, 'ops'), '/app/routing');
    await page.getByLabel('Referring practice (ODS code)').fill(SAMPLE_PRACTICE);
    await page.getByLabel('Service asked for').selectOption('social-prescribing');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByRole('heading', { name: /^Milton Keynes Social Prescribing/ }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'ops-routing');
    await context.close();
  });

  it('shows ops the loaded networks, and checks a proposed network file without loading it', async () => {
    const { context, page } = await signedIn(sampleClientId(LOCAL_OPS_ODS, 'ops'), '/app/networks');
    await page.getByText(/^Watling Street PCN \(\d+ practices/).click();
    await page.getByRole('cell', { name: 'Watling Street PCN First Contact Physiotherapy' }).first().waitFor();
    const proposed = JSON.parse(readFileSync(join(SAMPLE_NETWORKS_DIR, 'watling-street-pcn.json'), 'utf8'));
    proposed.name = 'Watling Street Primary Care Network';
    await page.getByLabel('Network file (JSON)').setInputFiles({
      name: 'watling-street-pcn.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(proposed)),
    });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByText('name: Watling Street PCN -> Watling Street Primary Care Network').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'ops-network-check');
    await context.close();
  });

  it('lets ops pause a receiver (new referrals go to its fallback) and resume it', async () => {
    const { context, page } = await signedIn(sampleClientId(LOCAL_OPS_ODS, 'ops'), '/app/receivers');
    const row = page.getByRole('row').filter({ hasText: 'Milton Keynes Social Prescribing' });
    await row.getByRole('button', { name: /^Pause/ }).click();
    await row.getByText('Paused by the hub operations team: deliveries wait').waitFor();
    // The receiver that keeps refusing stands first, in trouble.
    await page.getByRole('row').nth(1).getByText('In trouble').waitFor();
    expect(await page.getByRole('row').nth(1).textContent()).toContain('MK Wellbeing Line');
    await expectAccessible(page);
    await screenshot(page, 'ops-receivers-paused');
    const referral = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' });
    await sendMessage(hub.baseUrl, referral, { sender: SAMPLE_PRACTICE });
    expect((await messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE)).destination.serviceId).toBe(
      'stony-community-connectors',
    );
    await row.getByRole('button', { name: /^Resume/ }).click();
    await row.getByText('Taking work').waitFor();
    // Those in trouble first whatever the page; then grouped by network, a page of services at a time.
    const headings = await page.locator('main h2').allTextContents();
    expect(headings[0]).toBe('Needs attention');
    const servicesShown = async () =>
      (await page.locator('section[aria-labelledby^="network-"] tbody tr').count()) as number;
    expect(await servicesShown()).toBe(20);
    await page.getByRole('button', { name: 'Next services' }).click();
    await page.getByRole('button', { name: 'Previous services' }).waitFor();
    // The next page's services, once they have come.
    await page.locator('section[aria-labelledby^="network-"] tbody tr').first().waitFor();
    expect(await servicesShown()).toBeGreaterThan(0);
    expect(await servicesShown()).toBeLessThan(20);
    const later = await page.locator('main h2').allTextContents();
    await page.getByRole('button', { name: 'Previous services' }).click();
    await page.getByRole('button', { name: 'Next services' }).waitFor();
    await page.locator('section[aria-labelledby^="network-"] tbody tr').first().waitFor();
    expect([...headings, ...later]).toEqual(expect.arrayContaining(['Leamington PCN', 'Harrow Central PCN (sample)']));
    const network = headings.find((h) => h !== 'Needs attention')!;
    await page.getByLabel('Network', { exact: true }).selectOption(network);
    expect(await page.locator('main h2').allTextContents()).toEqual(['Needs attention', network]);
    await context.close();
  });

  it("shows a receiving team its inbox, and not another organisation's message", async () => {
    const { context, page } = await signedIn(sampleClientId(SOCIAL_PRESCRIBING, 'receiver'), '/app/inbox');
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'Hilltops Medical Centre' }).first().waitFor();
    await expectAccessible(page);
    await screenshot(page, 'receiver-inbox');
    // The referral that went to the wellbeing line is not theirs: the page says so, as the API does (404).
    await page.goto(`${hub.baseUrl}/app/messages/${failedId}`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await page.goto(`${hub.baseUrl}/app/messages/${waitingId}`);
    await page.getByRole('heading', { name: 'What happened' }).waitFor();
    await context.close();
  });

  it('is usable from the keyboard: the skip link, then the menu', async () => {
    const { context, page } = await signedIn(sampleClientId(LOCAL_OPS_ODS, 'ops'));
    await page.getByRole('heading', { name: 'PCN Referral Hub' }).waitFor();
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to main content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Overview');
    await context.close();
  });

  it('lets ops search, send failed messages again in bulk, see a patient when they ask, and withdraw a referral', async () => {
    const { context, page } = await signedIn(sampleClientId(LOCAL_OPS_ODS, 'ops'), '/app/messages');
    // Search: what went to the wellbeing line.
    await page.getByText('Search by sender, receiver, service or date').click();
    await page.getByLabel('Sent to (ODS code)').fill('Z9W107');
    const today = new Date();
    const since = page.getByRole('group', { name: 'Received on or after' });
    await since.getByLabel('Day').fill(String(today.getUTCDate()));
    await since.getByLabel('Month').fill(String(today.getUTCMonth() + 1));
    await since.getByLabel('Year').fill(String(today.getUTCFullYear()));
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('heading', { name: 'Search results' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'MK Wellbeing Line' }).first().waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'Milton Keynes Social Prescribing' }).count()).toBe(0);
    await expectAccessible(page);
    // Bulk: tick the failed referral, send it to social prescribing instead.
    await page.goto(`${hub.baseUrl}/app/messages?status=failed`);
    const row = page.getByRole('row').filter({ hasText: 'MK Wellbeing Line' }).first();
    await row.getByRole('checkbox').check();
    // Only services of the sender's network are offered (never another PCN's).
    const chosenTo = page.getByLabel('Send the chosen messages to');
    await chosenTo.locator('option', { hasText: 'Milton Keynes Social Prescribing' }).waitFor({ state: 'attached' });
    const offered = await chosenTo.locator('option').allTextContents();
    expect(offered).toContain('Milton Keynes Social Prescribing');
    expect(offered.some((name) => /Warwick|Leamington|Harrow|Northwick/.test(name))).toBe(false);
    await page.getByLabel('Send the chosen messages to').selectOption({ label: 'Milton Keynes Social Prescribing' });
    await row.getByText('no successful delivery').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'ops-bulk-replay');
    await page.getByRole('button', { name: 'Send the chosen again (1)' }).click();
    await page.getByText('1 sent again.').waitFor();
    await expectAccessible(page);
    await eventually(() => messageStatus(hub.baseUrl, failedId, SAMPLE_PRACTICE), untilStatus('in-mailbox'));
    // The patient, only when asked (and the asking is recorded).
    await page.goto(`${hub.baseUrl}/app/messages/${failedId}`);
    await page.getByRole('button', { name: "Show the patient's details" }).click();
    await page.getByRole('heading', { name: 'The patient' }).waitFor();
    await page.getByText('900 000 0009').waitFor();
    // Withdraw: a reason is needed.
    await page.getByRole('button', { name: 'Withdraw' }).click();
    await page.getByText('Say why').waitFor();
    await page.getByLabel('Withdraw it').fill('Sent for the wrong patient');
    await page.getByRole('button', { name: 'Withdraw' }).click();
    await page.getByText('Withdrawn. The practice and the receiving team have been told.').waitFor();
    await page.getByText('Withdrawn by the hub').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'ops-withdrawn');
    const record = await messageStatus(hub.baseUrl, failedId, SAMPLE_PRACTICE);
    expect(record).toMatchObject({ status: 'withdrawn', outcome: 'withdrawn' });
    expect(record.timeline.some((e) => e.detail?.includes('patient details shown to'))).toBe(true);
    await context.close();
  });
});
