import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_OPS_ODS, type LocalHub, startLocalHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { type PatientDetails, referralMessage, responseMessage } from '../../local/sample-messages.js';
import { asOrganisation, call, eventually, messageStatus, sendMessage, untilStatus } from '../support/http.js';

/** A patient whose details are distinctive enough to be found in any log line that leaks them. */
const PATIENT: PatientDetails = {
  nhsNumber: '9449305552',
  family: 'Quillfeather',
  given: 'Ottoline',
  birthDate: '1938-07-19',
  postcode: 'MK4 2AB',
};
const SOCIAL_PRESCRIBING = 'Z9W101';

describe('patient data stays out of the logs, at the most verbose level', () => {
  let hub: LocalHub;
  const lines: string[] = [];
  const restore: (() => void)[] = [];
  beforeAll(async () => {
    // Every line anything in this process writes, Powertools' structured log included.
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        lines.push(String(chunk));
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = write));
    }
    hub = await startLocalHub({ port: 0, receiversPort: 0, logLevel: 'DEBUG' });
  });
  afterAll(async () => {
    await hub?.stop();
    for (const undo of restore) undo();
  });

  it('through a referral, its delivery, its reading, an answer, a failure and refusals', async () => {
    // A referral to a mailbox, read and answered; one to a receiver that is down (it fails); refusals that echo input.
    const referral = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing', patient: PATIENT });
    const correlationId = crypto.randomUUID();
    expect((await sendMessage(hub.baseUrl, referral, { correlationId })).status).toBe(202);
    await eventually(() => messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE), untilStatus('in-mailbox'));
    await call(hub.baseUrl, 'GET', `/mailbox/${referral.id}`, {
      headers: await asOrganisation(hub.baseUrl, SOCIAL_PRESCRIBING),
    });
    const answer = responseMessage({
      receiverOds: SOCIAL_PRESCRIBING,
      originalMessageId: referral.id!,
      taskStatus: 'accepted',
    });
    await sendMessage(hub.baseUrl, answer, { sender: SOCIAL_PRESCRIBING, correlationId });
    const failing = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'voluntary-sector', patient: PATIENT });
    await sendMessage(hub.baseUrl, failing);
    await eventually(() => messageStatus(hub.baseUrl, failing.id!, SAMPLE_PRACTICE), untilStatus('failed'), 40_000);
    const invalid = referralMessage({ patient: { ...PATIENT, nhsNumber: '9449305553' } });
    expect((await sendMessage(hub.baseUrl, invalid)).status).toBe(400);
    await call(hub.baseUrl, 'GET', '/messages', { headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS) });

    // Assess: the logs said things (this is the verbose level), and none of them names the patient.
    const log = lines.join('');
    expect(log.length).toBeGreaterThan(0);
    for (const secret of [PATIENT.nhsNumber, '9449305553', PATIENT.family, PATIENT.given, PATIENT.birthDate]) {
      expect(log.includes(secret), `a log line holds ${secret}`).toBe(false);
    }
  }, 90_000);
});
