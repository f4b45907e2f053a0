import { createHmac } from 'node:crypto';
import type { Patient } from 'fhir/r4';
import type { MessageBundle } from './bundle.js';
import { canonicalSystem, SYSTEMS } from './systems.js';

/** The NHS number of the patient a message is about, if it names one. */
export function nhsNumberOf(bundle: MessageBundle): string | undefined {
  const patient = bundle.entry?.map((e) => e.resource).find((r): r is Patient => r?.resourceType === 'Patient');
  return patient?.identifier?.find((i) => canonicalSystem(i.system) === SYSTEMS.nhsNumber)?.value?.replace(/\s/g, '');
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
