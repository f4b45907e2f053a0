import { describe, expect, it } from 'vitest';
import { patientSummaryOf } from '../../core/fhir/patient-index.js';
import { referrerOf } from '../../core/fhir/referrer.js';
import { referralMessage } from '../../local/sample-messages.js';
import { readExample } from '../support/bars-examples.js';

describe('what a worklist row shows of a request: who it is about, and who referred', () => {
  it.each(['REFREQ02', 'REFREQ03', 'REFREQ06'])(
    'reads the patient and the referring clinician of the real BaRS referral %s',
    (name) => {
      // Prepare
      const bundle = readExample(name);
      // Act
      const patient = patientSummaryOf(bundle);
      const referrer = referrerOf(bundle);
      // Assess: the values the example carries, as a person reads them.
      expect(patient?.name).toMatch(/\S+ \S+/);
      expect(patient?.nhsNumber).toMatch(/^\d{10}$/);
      expect(patient?.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(referrer).toMatch(/\S+ \S+/);
    },
  );

  it("reads the hub's own sample referral, which names an organisation and no clinician", () => {
    const bundle = referralMessage({ senderOds: 'Z9W001', category: 'social-prescribing' });
    expect(patientSummaryOf(bundle)).toEqual({
      name: 'Alex Example',
      nhsNumber: '9000000009',
      birthDate: '1956-03-14',
    });
    expect(referrerOf(bundle)).toBeUndefined();
  });
});
