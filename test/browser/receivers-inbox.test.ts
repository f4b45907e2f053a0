/// <reference lib="dom" />
import type { Bundle, Task } from 'fhir/r4';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_OPS_ODS, type LocalHub, startLocalHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { sampleClientId } from '../../local/sample-clients.js';
import { referralMessage } from '../../local/sample-messages.js';
import { buildWebApp } from '../../local/web-app.js';
import { expectAccessible, launchBrowser, screenshot, signedIn } from '../support/browser.js';
import { asOrganisation, call, eventually, messageStatus, sendMessage, untilStatus } from '../support/http.js';

const SOCIAL_PRESCRIBING = 'Z9W101'; // Milton Keynes Social Prescribing: a mailbox, no clinical system
const ADULT_SOCIAL_CARE = 'Z9W104';
const ADULT_SOCIAL_CARE_SERVICE = 'Milton Keynes Adult Social Care';

describe("the receivers' inbox: a team without a clinical system works its referrals in the web app", () => {
  let hub: LocalHub;
  let browser: Browser;
  beforeAll(async () => {
    await buildWebApp();
    hub = await startLocalHub({ port: 0, receiversPort: false });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  /** A new referral from Hilltops waiting in social prescribing's inbox, and the team on its page. */
  async function referralOpenedByTheTeam() {
    const referral = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' });
    expect((await sendMessage(hub.baseUrl, referral, { sender: SAMPLE_PRACTICE })).status).toBe(202);
    await eventually(() => messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE), untilStatus('in-mailbox'));
    const person = sampleClientId(SOCIAL_PRESCRIBING, 'receiver');
    const team = await signedIn(browser, hub.baseUrl, person, `/app/inbox/${referral.id}`);
    return { referral, team };
  }

  it('sees a new referral arrive, opens it, accepts it, completes it; the practice is told each time', async () => {
    // Prepare: the social prescribing team has its inbox open.
    const team = await signedIn(browser, hub.baseUrl, sampleClientId(SOCIAL_PRESCRIBING, 'receiver'), '/app/inbox');
    const { page } = team;
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();

    // Act: Hilltops refers a patient to social prescribing.
    const referral = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' });
    expect((await sendMessage(hub.baseUrl, referral, { sender: SAMPLE_PRACTICE })).status).toBe(202);

    // Assess: it appears without reloading the page, as new.
    const row = page.getByRole('row').filter({ hasText: 'Hilltops Medical Centre' }).filter({ hasText: 'New' });
    await row.waitFor({ timeout: 30_000 });
    await expectAccessible(page);
    await screenshot(page, 'inbox-list');

    // Act: the team opens it: the patient and the referral, the read recorded on the timeline.
    await row.getByRole('link', { name: 'Alex Example' }).click();
    await page.getByRole('heading', { name: /^Referral for / }).waitFor();
    await page.getByText('900 000 0009').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'inbox-referral');
    const read = await messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE);
    expect(read.timeline.some((e) => e.type === 'fetched' && e.detail?.includes('z9w101-receiver'))).toBe(true);

    // Act: accept it.
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('button', { name: 'Send: accept' }).click();
    await page.getByText('Referral accepted. Hilltops Medical Centre has been told.').waitFor();
    await screenshot(page, 'inbox-accepted');
    // Assess: the practice's status view says accepted.
    await eventually(
      () => messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE),
      (r) => r.outcome === 'accepted' && r.status === 'acknowledged',
    );
    const practice = await signedIn(
      browser,
      hub.baseUrl,
      sampleClientId(SAMPLE_PRACTICE, 'sender'),
      `/app/messages/${referral.id}`,
    );
    // The answer, in the referral's summary (the case's other messages are listed below it).
    await practice.page.locator('.nhsuk-summary-list').getByText('Accepted', { exact: true }).waitFor();
    await practice.context.close();

    // Act: complete it with an outcome and a note.
    await page.getByRole('button', { name: 'Complete' }).click();
    await page.getByLabel('Support given, goals met').check();
    await page
      .getByLabel('A note for the practice (optional)')
      .fill('Joined the walking group; feeling less isolated.');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Send: complete' }).click();
    await page.getByText('Referral completed. Hilltops Medical Centre has been told.').waitFor();
    await screenshot(page, 'inbox-completed');

    // Assess: the practice receives the completion, with the outcome code, in its mailbox.
    const practiceHeaders = await asOrganisation(hub.baseUrl, SAMPLE_PRACTICE);
    const answers = await eventually(
      async () => (await call(hub.baseUrl, 'GET', '/mailbox', { headers: practiceHeaders })).body.messages,
      (messages: { event: string; messageId: string }[]) =>
        messages.filter((m) => m.event === 'servicerequest-response').length >= 2,
    );
    const completions = await Promise.all(
      answers.map(async (m) => {
        const bundle = (await call<Bundle>(hub.baseUrl, 'GET', `/mailbox/${m.messageId}`, { headers: practiceHeaders }))
          .body;
        return bundle.entry?.map((e) => e.resource).find((r): r is Task => r?.resourceType === 'Task');
      }),
    );
    const completion = completions.find((t) => t?.status === 'completed');
    expect(completion?.output?.[0]?.valueCodeableConcept?.coding?.[0]?.code).toBe('goals-met');
    expect((await messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE)).outcome).toBe('completed');
    // The referral's page keeps its history, in order: opened, accepted, completed with its outcome and note.
    await page.reload();
    const history = page.locator('table', { has: page.getByText("The referral's history, oldest first") });
    await history.getByText('Completed', { exact: true }).waitFor();
    const moments = await history
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    const what = moments.map((cells) => cells[1]);
    expect(what.indexOf('Opened')).toBeLessThan(what.indexOf('Accepted'));
    expect(what.indexOf('Accepted')).toBeLessThan(what.indexOf('Completed'));
    const completed = moments.find((cells) => cells[1] === 'Completed')!;
    expect(completed[2]).toBe('Milton Keynes Social Prescribing Service (sample)');
    expect(completed[3]).toBe('Support given, goals met — “Joined the walking group; feeling less isolated.”');
    await screenshot(page, 'inbox-history');
    await team.context.close();
  });

  it('tells referrals apart: who, how old, who referred, how urgent, how long waiting; sorted and found by patient', async () => {
    // Prepare: two more referrals for two other patients, one urgent.
    const patients = [
      { given: 'Bea', family: 'Aardvark', nhsNumber: '9434765919', birthDate: '1990-06-01', priority: 'urgent' },
      { given: 'Cal', family: 'Zebedee', nhsNumber: '9434765870', birthDate: '1948-11-20', priority: 'routine' },
    ] as const;
    for (const p of patients) {
      const referral = referralMessage({
        senderOds: SAMPLE_PRACTICE,
        category: 'social-prescribing',
        priority: p.priority,
        patient: {
          given: p.given,
          family: p.family,
          nhsNumber: p.nhsNumber,
          birthDate: p.birthDate,
          postcode: 'MK4 2AB',
        },
      });
      expect((await sendMessage(hub.baseUrl, referral, { sender: SAMPLE_PRACTICE })).status).toBe(202);
      await eventually(() => messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE), untilStatus('in-mailbox'));
    }
    const team = await signedIn(browser, hub.baseUrl, sampleClientId(SOCIAL_PRESCRIBING, 'receiver'), '/app/inbox');
    const { page } = team;
    const bea = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Bea Aardvark' }) });
    await bea.waitFor();
    // Assess: the row says who (NHS number spaced, age), who referred, how urgent, how long it has waited.
    const cells = await bea.locator('td').allTextContents();
    expect(cells[0]).toMatch(/^Bea Aardvark943 476 5919, 3\d years$/);
    expect(cells[1]).toBe('Hilltops Medical Centre');
    expect(cells[3]).toBe('Urgent');
    expect(cells[4]).toMatch(/today$/);
    // Act: sort by patient, then the other way round.
    const patientsInOrder = async () =>
      (await page.locator('tbody tr td:first-child a').allTextContents()).filter((name) =>
        /Aardvark|Zebedee/.test(name),
      );
    await page.getByRole('button', { name: 'Patient: sort ascending' }).click();
    expect(await patientsInOrder()).toEqual(['Bea Aardvark', 'Cal Zebedee']);
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('Patient');
    await page.getByRole('button', { name: 'Patient: sort descending' }).click();
    expect(await patientsInOrder()).toEqual(['Cal Zebedee', 'Bea Aardvark']);
    await expectAccessible(page);
    await screenshot(page, 'inbox-worklist');
    // Act: find by name, then by NHS number (asked of the hub, never in the address).
    await page.getByLabel('Find a patient').fill('zebedee');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByRole('link', { name: 'Cal Zebedee' }).waitFor();
    expect(await page.getByRole('link', { name: 'Bea Aardvark' }).count()).toBe(0);
    await page.getByLabel('Find a patient').fill('943 476 5919');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByRole('link', { name: 'Bea Aardvark' }).waitFor();
    expect(await page.getByRole('link', { name: 'Cal Zebedee' }).count()).toBe(0);
    expect(page.url()).not.toContain('9434765919');
    await team.context.close();
  });

  it("keeps another receiving organisation out: not in its list, and not at the referral's address", async () => {
    const referral = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' });
    expect((await sendMessage(hub.baseUrl, referral, { sender: SAMPLE_PRACTICE })).status).toBe(202);
    const other = await signedIn(browser, hub.baseUrl, sampleClientId(ADULT_SOCIAL_CARE, 'receiver'), '/app/inbox');
    await other.page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await other.page
      .getByText(/Nothing has been sent to your team yet|Received/)
      .first()
      .waitFor();
    expect(await other.page.content()).not.toContain(referral.id);
    await other.page.goto(`${hub.baseUrl}/app/inbox/${referral.id}`);
    await other.page.getByRole('heading', { name: 'Not found' }).waitFor();
    await other.context.close();
  });

  it('passes a referral that reached the wrong team on to another service, and the practice is told', async () => {
    const { referral, team } = await referralOpenedByTheTeam();
    const { page } = team;
    await page.getByRole('button', { name: 'Pass on to another service' }).click();
    // No service is chosen for the team, and only the practice's network's are offered (not its own, not another PCN's).
    const choice = page.getByLabel('Which service should have it?');
    expect(await choice.inputValue()).toBe('');
    await choice.locator('option', { hasText: ADULT_SOCIAL_CARE_SERVICE }).waitFor({ state: 'attached' });
    const offered = await choice.locator('option:not([disabled])').allTextContents();
    expect(offered).toContain(ADULT_SOCIAL_CARE_SERVICE);
    expect(offered).not.toContain('Milton Keynes Social Prescribing');
    expect(offered.some((name) => /Warwick|Leamington|Harrow|Northwick/.test(name))).toBe(false);
    await page.getByRole('button', { name: 'Send: pass on' }).click();
    expect(await choice.evaluate((select: HTMLSelectElement) => select.validity.valid)).toBe(false);
    await choice.selectOption({ label: ADULT_SOCIAL_CARE_SERVICE });
    await page.getByLabel('Why? (the practice will see this)').fill('Needs a care assessment first');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Send: pass on' }).click();
    await page.getByText(`Passed on to ${ADULT_SOCIAL_CARE_SERVICE}. Hilltops Medical Centre has been told.`).waitFor();
    await screenshot(page, 'inbox-passed-on');
    // Back in the inbox it reads as passed on, not as new work.
    await page.goto(`${hub.baseUrl}/app/inbox`);
    const row = page.locator(`tr:has(a[href$="${referral.id}"])`);
    await row.getByText('Passed on to another service').waitFor();
    expect(await row.textContent()).not.toContain('New');
    const original = await eventually(
      () => messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE),
      (r) => r.timeline.some((e) => e.type === 'sender-notified'),
    );
    expect(original.outcome).toBe('forwarded');
    expect(original.timeline.find((e) => e.type === 'forwarded')?.detail).toContain('Needs a care assessment first');
    await team.context.close();
  });

  it("tells the practice why a referral was rejected: the team's coded reason and its note", async () => {
    // Prepare
    const { referral, team } = await referralOpenedByTheTeam();
    // Act: the team rejects it, choosing a reason and writing a note.
    await team.page.getByRole('button', { name: 'Reject' }).click();
    await team.page.getByLabel('The patient is not eligible for this service').check();
    await team.page.getByLabel('A note for the practice (optional)').fill('We see adults over 18 only.');
    await team.page.getByRole('button', { name: 'Send: reject' }).click();
    await team.page.getByText('Referral rejected.', { exact: false }).waitFor();
    await team.context.close();
    // Assess: the practice, on its referral's page, reads both.
    const practice = await signedIn(
      browser,
      hub.baseUrl,
      sampleClientId(SAMPLE_PRACTICE, 'sender'),
      `/app/messages/${referral.id}`,
    );
    const summary = practice.page.locator('.nhsuk-summary-list').first();
    await summary.getByText('Rejected', { exact: true }).waitFor();
    await summary.getByText('The patient is not eligible for this service', { exact: true }).waitFor();
    await summary.getByText('We see adults over 18 only.', { exact: true }).waitFor();
    await expectAccessible(practice.page);
    await screenshot(practice.page, 'practice-rejection-reason');
    // And in its worklist of what it sent, the rejection stands out, with why.
    await practice.page.goto(`${hub.baseUrl}/app/sent`);
    const row = practice.page.getByRole('row').filter({ has: practice.page.locator(`a[href$="${referral.id}"]`) });
    await row.getByText('Rejected: needs your action').waitFor();
    await row.getByText('The patient is not eligible for this service — “We see adults over 18 only.”').waitFor();
    await practice.page.getByLabel('Show').selectOption('Rejected: needs your action');
    expect((await practice.page.locator('tbody tr').allTextContents()).every((text) => text.includes('Rejected'))).toBe(
      true,
    );
    await expectAccessible(practice.page);
    await screenshot(practice.page, 'practice-sent');
    await practice.context.close();
  });

  it('opens a referral withdrawn after it arrived: who withdrew it, when and why, and nothing to do', async () => {
    // Prepare: the referral is in the team's inbox; ops withdraw it (sent for the wrong patient).
    const { referral, team } = await referralOpenedByTheTeam();
    const withdrawn = await call(hub.baseUrl, 'POST', `/messages/${referral.id}/$withdraw`, {
      headers: { ...(await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS, 'ops')), 'content-type': 'application/json' },
      body: { reason: 'Sent for the wrong patient' },
    });
    expect(withdrawn.status).toBe(200);
    // Act
    await team.page.goto(`${hub.baseUrl}/app/inbox/${referral.id}`);
    // Assess
    await team.page.getByRole('heading', { name: 'Referral withdrawn' }).waitFor();
    await team.page.getByText('Sent for the wrong patient', { exact: false }).waitFor();
    expect(await team.page.getByRole('button', { name: 'Accept' }).count()).toBe(0);
    await expectAccessible(team.page);
    await screenshot(team.page, 'inbox-withdrawn');
    await team.context.close();
  });

  it('refuses an action the referral has moved past, saying why', async () => {
    const { referral, team } = await referralOpenedByTheTeam();
    await team.page.getByRole('button', { name: 'Reject' }).waitFor();
    // Meanwhile the team's other screen rejected it.
    const second = await team.context.newPage();
    await second.goto(`${hub.baseUrl}/app/inbox/${referral.id}`);
    await second.getByRole('button', { name: 'Reject' }).click();
    await second.getByLabel('The service has no capacity').check();
    await second.getByRole('button', { name: 'Send: reject' }).click();
    await second.getByText('Referral rejected.', { exact: false }).waitFor();
    await screenshot(second, 'inbox-rejected');
    // The first screen, still showing Accept, tries it.
    await team.page.getByRole('button', { name: 'Accept' }).click();
    await team.page.getByRole('button', { name: 'Send: accept' }).click();
    await team.page.getByRole('alert').waitFor();
    expect(await team.page.getByRole('alert').textContent()).toContain("'rejected'");
    await team.page
      .getByRole('definition')
      .filter({ hasText: /^Rejected$/ })
      .waitFor(); // the page now shows where it stands
    await screenshot(team.page, 'inbox-refused');
    await team.context.close();
  });

  it("asks for emails to the team's shared mailbox, and sees the one urgent work brings (never naming the patient)", async () => {
    // Prepare: the team gives its shared mailbox, for urgent work and a morning digest.
    const team = await signedIn(browser, hub.baseUrl, sampleClientId(SOCIAL_PRESCRIBING, 'receiver'), '/app/services');
    const { page } = team;
    const card = page.locator('form').filter({ hasText: 'Milton Keynes Social Prescribing' });
    await card.getByLabel("Your team's shared mailbox").fill('social.prescribing@example.nhs.uk');
    await expectAccessible(page);
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText('Saved.', { exact: false }).waitFor();
    // Act: an urgent referral arrives.
    const urgent = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing', priority: 'urgent' });
    expect((await sendMessage(hub.baseUrl, urgent, { sender: SAMPLE_PRACTICE })).status).toBe(202);
    await eventually(() => messageStatus(hub.baseUrl, urgent.id!, SAMPLE_PRACTICE), untilStatus('in-mailbox'));
    // Assess: the email the hub sent (caught on this computer), with a link and no patient.
    await card.getByRole('link', { name: 'The emails sent so far' }).click();
    const row = page
      .getByRole('row')
      .filter({ hasText: 'Urgent referral waiting for Milton Keynes Social Prescribing' });
    await row.getByText('social.prescribing@example.nhs.uk').waitFor();
    expect(await row.textContent()).not.toMatch(/Alex|Example|9000000009/);
    await expectAccessible(page);
    await screenshot(page, 'team-emails');
    // The page remembers what the team asked for.
    await page.goto(`${hub.baseUrl}/app/services`);
    expect(await card.getByLabel("Your team's shared mailbox").inputValue()).toBe('social.prescribing@example.nhs.uk');
    await team.context.close();
  });

  it('says the team is not taking referrals until a date: new referrals go to the fallback, the practice told why', async () => {
    const team = await signedIn(browser, hub.baseUrl, sampleClientId(SOCIAL_PRESCRIBING, 'receiver'), '/app/services');
    const { page } = team;
    const card = page.locator('form').filter({ hasText: 'Milton Keynes Social Prescribing' });
    await card.getByLabel('No').check();
    const returning = card.getByRole('group', { name: 'Taking referrals again from (optional)' });
    await returning.getByLabel('Day').fill('4');
    await returning.getByLabel('Month').fill('1');
    await returning.getByLabel('Year').fill('2099');
    await expectAccessible(page);
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText('Not accepting referrals until 4 January 2099').waitFor();
    await screenshot(page, 'services-not-accepting');
    // A practice's new referral goes to the network's fallback, and its answer says why.
    const referral = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' });
    const sent = await sendMessage(hub.baseUrl, referral, { sender: SAMPLE_PRACTICE });
    expect(sent.body.issue[0].diagnostics).toContain('which is not accepting referrals until 4 January 2099');
    expect((await messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE)).destination.serviceId).toBe(
      'stony-community-connectors',
    );
    // Taking referrals again.
    await card.getByLabel('Yes').check();
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText('Taking new referrals.').waitFor();
    await team.context.close();
  });

  it('fits a tablet: the inbox with an urgent referral and its due time, and the referral page, without sideways scrolling', async () => {
    const urgent = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing', priority: 'urgent' });
    expect((await sendMessage(hub.baseUrl, urgent, { sender: SAMPLE_PRACTICE })).status).toBe(202);
    await eventually(() => messageStatus(hub.baseUrl, urgent.id!, SAMPLE_PRACTICE), untilStatus('in-mailbox'));
    const team = await signedIn(browser, hub.baseUrl, sampleClientId(SOCIAL_PRESCRIBING, 'receiver'), '/app/inbox');
    const { page } = team;
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.reload();
    const row = page.getByRole('row').filter({ hasText: 'Urgent' }).first();
    await row.waitFor();
    const scrollsSideways = () =>
      page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
    expect(await scrollsSideways()).toBe(false);
    await expectAccessible(page);
    await screenshot(page, 'inbox-tablet');
    await row.getByRole('link', { name: 'Alex Example' }).click();
    await page.getByRole('heading', { name: /^Referral for / }).waitFor();
    expect(await scrollsSideways()).toBe(false);
    await screenshot(page, 'inbox-referral-tablet');
    await team.context.close();
  });
});
