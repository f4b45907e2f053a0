import { randomUUID } from 'node:crypto';
import type {
  Coding,
  FhirResource,
  Location,
  MessageHeader,
  Organization,
  Patient,
  ServiceRequest,
  Task,
} from 'fhir/r4';
import type { MessageBundle } from '../core/fhir/bundle.js';
import { SYSTEMS } from '../core/fhir/systems.js';
import { SAMPLE_PRACTICE } from './identities.js';

/**
 * Builders of FHIR messages as practice systems and receivers send them: used by `npm run send-sample`, the
 * simulated receivers and the tests. Sample patients are invented; their NHS numbers pass the Modulus 11 check.
 */

export interface PatientDetails {
  nhsNumber: string;
  family: string;
  given: string;
  birthDate: string;
  postcode: string;
  registeredPractice?: string;
}

/** An invented patient of Hilltops Medical Centre (9000000009 is a valid test-range NHS number). */
export const SAMPLE_PATIENT: PatientDetails = {
  nhsNumber: '9000000009',
  family: 'Example',
  given: 'Alex',
  birthDate: '1956-03-14',
  postcode: 'MK4 2AB',
};

export interface ReferralOptions {
  senderOds?: string;
  senderName?: string;
  category?: string;
  /** Name the service by a SNOMED CT referral procedure (ServiceRequest.code) instead of a hub category. */
  snomedCode?: string;
  patient?: PatientDetails;
  priority?: 'routine' | 'urgent' | 'asap' | 'stat';
  /** ODS site code of the patient's care home. */
  careHome?: string;
  /** BaRS destination.endpoint `system|value`. */
  destinationEndpoint?: string;
  sourceEndpoint?: string;
  reason?: 'new' | 'update' | 'delete';
  status?: ServiceRequest['status'];
  /** The referral this message updates or cancels: its ServiceRequest keeps that referral's identity, as BaRS asks. */
  changes?: MessageBundle;
}

/** A referral's ServiceRequest entry: its identity (fullUrl) and business identifier, which its updates keep. */
function referralServiceRequest(referral: MessageBundle) {
  const entry = referral.entry?.find((e) => e.resource?.resourceType === 'ServiceRequest');
  if (!entry?.fullUrl) throw new Error(`Message ${referral.id} holds no ServiceRequest to change`);
  return { fullUrl: entry.fullUrl, identifier: (entry.resource as ServiceRequest).identifier };
}

const full = (resource: FhirResource) => ({ fullUrl: `urn:uuid:${randomUUID()}`, resource });

export function organization(odsCode: string, name?: string): Organization {
  return {
    resourceType: 'Organization',
    identifier: [{ system: SYSTEMS.odsOrganisation, value: odsCode }],
    ...(name ? { name } : {}),
  };
}

export function patientResource(p: PatientDetails, gpReference?: string): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: SYSTEMS.nhsNumber, value: p.nhsNumber }],
    name: [{ family: p.family, given: [p.given] }],
    birthDate: p.birthDate,
    address: [{ postalCode: p.postcode }],
    ...(gpReference ? { generalPractitioner: [{ reference: gpReference }] } : {}),
  };
}

/** A BaRS servicerequest-request from a practice: MessageHeader, ServiceRequest, Patient, sender Organization. */
export function referralMessage(options: ReferralOptions = {}): MessageBundle {
  const senderOds = options.senderOds ?? SAMPLE_PRACTICE;
  const sender = full(organization(senderOds, options.senderName ?? 'Hilltops Medical Centre'));
  const gp = options.patient?.registeredPractice ? full(organization(options.patient.registeredPractice)) : undefined;
  const patient = full(patientResource(options.patient ?? SAMPLE_PATIENT, gp?.fullUrl));
  const location = options.careHome
    ? full({
        resourceType: 'Location',
        identifier: [{ system: SYSTEMS.odsSite, value: options.careHome }],
        name: 'Care home',
      } satisfies Location)
    : undefined;
  const category = options.category ?? 'social-prescribing';
  const changed = options.changes ? referralServiceRequest(options.changes) : undefined;
  const serviceRequest = full({
    resourceType: 'ServiceRequest',
    identifier: changed?.identifier ?? [{ system: SYSTEMS.sampleReferralId, value: randomUUID() }],
    status: options.status ?? 'active',
    intent: 'plan',
    category: options.snomedCode
      ? [
          {
            coding: [
              {
                system: 'https://fhir.nhs.uk/CodeSystem/message-category-servicerequest',
                code: 'referral',
                display: 'Referral',
              },
            ],
          },
        ]
      : [{ coding: [{ system: SYSTEMS.hubServiceCategory, code: category }] }],
    ...(options.snomedCode ? { code: { coding: [{ system: SYSTEMS.snomed, code: options.snomedCode }] } } : {}),
    priority: options.priority ?? 'routine',
    subject: { reference: patient.fullUrl },
    requester: { reference: sender.fullUrl },
    authoredOn: new Date().toISOString(),
    ...(location ? { locationReference: [{ reference: location.fullUrl }] } : {}),
  } satisfies ServiceRequest);
  if (changed) serviceRequest.fullUrl = changed.fullUrl;
  const header = full({
    resourceType: 'MessageHeader',
    eventCoding: { system: SYSTEMS.barsMessageEvents, code: 'servicerequest-request' },
    ...(options.destinationEndpoint ? { destination: [{ endpoint: options.destinationEndpoint }] } : {}),
    sender: { reference: sender.fullUrl },
    source: {
      name: options.senderName ?? 'Hilltops Medical Centre',
      software: 'Sample practice system',
      endpoint: options.sourceEndpoint ?? `${SYSTEMS.odsOrganisation}|${senderOds}`,
    },
    reason: { coding: [{ system: SYSTEMS.barsMessageReason, code: options.reason ?? 'new' }] },
    focus: [{ reference: serviceRequest.fullUrl }],
    definition: 'https://pcn-referral-hub.example.org/fhir/MessageDefinition/servicerequest-request',
  } satisfies MessageHeader);
  return bundleOf([header, serviceRequest, patient, sender, ...(gp ? [gp] : []), ...(location ? [location] : [])]);
}

export interface TaskOptions {
  senderOds?: string;
  careHome?: string;
  category?: string;
  due?: string;
  patient?: PatientDetails;
}

/** A care-home task-request: a Task for the resident's care-home team, with a deadline. */
export function careHomeTaskMessage(options: TaskOptions = {}): MessageBundle {
  const senderOds = options.senderOds ?? 'Z9W003';
  const sender = full(organization(senderOds));
  const patient = full(patientResource(options.patient ?? SAMPLE_PATIENT));
  const location = full({
    resourceType: 'Location',
    identifier: [{ system: SYSTEMS.odsSite, value: options.careHome ?? 'Z9WC01' }],
    name: 'Care home',
  } satisfies Location);
  const task = full({
    resourceType: 'Task',
    identifier: [{ system: SYSTEMS.sampleTaskId, value: randomUUID() }],
    status: 'requested',
    intent: 'order',
    code: {
      coding: [{ system: SYSTEMS.hubServiceCategory, code: options.category ?? 'enhanced-health-in-care-homes' }],
      text: 'Holistic assessment after admission',
    },
    for: { reference: patient.fullUrl },
    authoredOn: new Date().toISOString(),
    requester: { reference: sender.fullUrl },
    location: { reference: location.fullUrl },
    restriction: { period: { end: options.due ?? new Date(Date.now() + 7 * 86_400_000).toISOString() } },
  } satisfies Task);
  const header = full({
    resourceType: 'MessageHeader',
    eventCoding: { system: SYSTEMS.hubMessageEvents, code: 'task-request' },
    sender: { reference: sender.fullUrl },
    source: { endpoint: `${SYSTEMS.odsOrganisation}|${senderOds}` },
    focus: [{ reference: task.fullUrl }],
  } satisfies MessageHeader);
  return bundleOf([header, task, patient, sender, location]);
}

export interface ResponseOptions {
  receiverOds: string;
  originalMessageId: string;
  code?: 'ok' | 'transient-error' | 'fatal-error';
  taskStatus?: Task['status'];
  /** The reason's text (alone, or the team's note beside a coded reason). */
  reason?: string;
  /** A coded reason (a rejection's), as a receiving team's inbox sends it. */
  reasonCoding?: Coding;
  event?: 'servicerequest-response' | 'task-update';
  sourceEndpoint?: string;
}

/** A receiver's answer: servicerequest-response (or task-update) naming the original message, with a Task saying how it went. */
export function responseMessage(options: ResponseOptions): MessageBundle {
  const sender = full(organization(options.receiverOds));
  const task = full({
    resourceType: 'Task',
    identifier: [{ system: SYSTEMS.sampleTaskId, value: randomUUID() }],
    status: options.taskStatus ?? 'accepted',
    intent: 'order',
    ...(options.reason || options.reasonCoding
      ? {
          statusReason: {
            ...(options.reasonCoding ? { coding: [options.reasonCoding] } : {}),
            ...(options.reason ? { text: options.reason } : {}),
          },
        }
      : {}),
  } satisfies Task);
  const event = options.event ?? 'servicerequest-response';
  const header = full({
    resourceType: 'MessageHeader',
    eventCoding:
      event === 'task-update'
        ? { system: SYSTEMS.hubMessageEvents, code: event }
        : { system: SYSTEMS.barsMessageEvents, code: event },
    sender: { reference: sender.fullUrl },
    source: { endpoint: options.sourceEndpoint ?? `${SYSTEMS.odsOrganisation}|${options.receiverOds}` },
    response: { identifier: options.originalMessageId, code: options.code ?? 'ok' },
    focus: [{ reference: task.fullUrl }],
  } satisfies MessageHeader);
  return bundleOf([header, task, sender]);
}

function bundleOf(entries: { fullUrl: string; resource: FhirResource }[]): MessageBundle {
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    type: 'message',
    timestamp: new Date().toISOString(),
    entry: entries,
  };
}
