import { SYSTEMS } from '../../core/fhir/systems';

/** What a team needs to read of a referral message, in plain fields (the page never shows FHIR's own words). */
export interface PatientView {
  name: string;
  nhsNumber?: string;
  birthDate?: string;
  contact: string[];
}

export interface ReferralView {
  patient: PatientView;
  service?: string;
  priority?: string;
  reason: string[];
  notes: string[];
  practice: string;
  clinician?: string;
  attachments: string[];
}

type Resource = Record<string, any>;

const byUrl = (bundle: Resource) =>
  new Map<string, Resource>((bundle.entry ?? []).map((e: Resource) => [e.fullUrl as string, e.resource as Resource]));

const humanName = (name?: Resource) =>
  name ? [name.prefix, name.given, name.family].flat().filter(Boolean).join(' ') || name.text : undefined;

const text = (concept?: Resource): string | undefined => concept?.text ?? concept?.coding?.[0]?.display;

/** A patient's name, NHS number, date of birth and how to reach them. */
export function readPatient(patient: Resource): PatientView {
  const address = patient.address?.[0];
  return {
    name: humanName(patient.name?.[0]) ?? 'Name not given',
    nhsNumber: patient.identifier?.find((i: Resource) => i.system === SYSTEMS.nhsNumber)?.value,
    birthDate: patient.birthDate,
    contact: [
      ...(patient.telecom ?? []).map((t: Resource) => `${t.system === 'phone' ? 'Phone' : 'Email'}: ${t.value}`),
      ...(address ? [[address.line, address.city, address.postalCode].flat().filter(Boolean).join(', ')] : []),
    ],
  };
}

/** Reads a referral Bundle: the patient, what is asked and why, who referred, and what came with it. */
export function readReferral(bundle: Resource): ReferralView {
  const resources = byUrl(bundle);
  const all = [...resources.values()];
  const focus = all.find((r) => r.resourceType === 'ServiceRequest' || r.resourceType === 'Task') ?? {};
  const patient = all.find((r) => r.resourceType === 'Patient') ?? {};
  const header = all.find((r) => r.resourceType === 'MessageHeader') ?? {};
  const sender = resources.get(header.sender?.reference) ?? {};
  const requester = resources.get(focus.requester?.reference);
  return {
    patient: readPatient(patient),
    service: text(focus.code) ?? focus.category?.[0]?.coding?.[0]?.code?.replaceAll('-', ' '),
    priority: focus.priority,
    reason: [...(focus.reasonCode ?? []).map(text), focus.description].filter(Boolean),
    notes: (focus.note ?? []).map((n: Resource) => n.text).filter(Boolean),
    practice: sender.name ?? sender.identifier?.[0]?.value ?? 'Unknown practice',
    clinician: requester?.resourceType === 'Practitioner' ? humanName(requester.name?.[0]) : undefined,
    attachments: all
      .filter((r) => r.resourceType === 'DocumentReference' || r.resourceType === 'Binary')
      .map((r) => r.description ?? r.content?.[0]?.attachment?.title ?? 'An attached document'),
  };
}
