import { createHmac } from 'node:crypto';
import type { Patient } from 'fhir/r4';
import type { MessageBundle } from './bundle.js';
import { writtenName } from './referrer.js';
import { canonicalSystem, SYSTEMS } from './systems.js';

/** The patient a request is about, as a worklist shows it. */
export interface PatientSummary {
  name?: string;
  /** Ten digits, no spaces. */
  nhsNumber?: string;
  /** YYYY-MM-DD */
  birthDate?: string;
}

const patientIn = (bundle: MessageBundle) =>
  bundle.entry?.map((e) => e.resource).find((r): r is Patient => r?.resourceType === 'Patient');

/** The NHS number of the patient a message is about, if it names one. */
export function nhsNumberOf(bundle: MessageBundle): string | undefined {
  return patientIn(bundle)
    ?.identifier?.find((i) => canonicalSystem(i.system) === SYSTEMS.nhsNumber)
    ?.value?.replace(/\s/g, '');
}

/** Who a message is about, as a worklist shows it (name as written, NHS number, date of birth); none if no Patient. */
export function patientSummaryOf(bundle: MessageBundle): PatientSummary | undefined {
  const patient = patientIn(bundle);
  if (!patient) return undefined;
  const written = writtenName(patient.name?.[0]);
  const nhsNumber = nhsNumberOf(bundle);
  return {
    ...(written ? { name: written } : {}),
    ...(nhsNumber ? { nhsNumber } : {}),
    ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
  };
}

/**
 * The key a message is indexed by for a search by NHS number: an HMAC with the deployment's secret, so the index
 * holds no NHS number in clear and cannot be reversed or matched without the secret.
 */
export function patientIndexKey(secret: () => Promise<string>): (nhsNumber: string) => Promise<string> {
  return async (nhsNumber) =>
    createHmac('sha256', await secret())
      .update(`nhs-number:${nhsNumber.replace(/\s/g, '')}`)
      .digest('base64url');
}
