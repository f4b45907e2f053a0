/** Canonical URLs, code systems and header names the hub speaks. One place, so emitters and checkers agree. */

/** Canonical base of the hub's own conformance resources (an example domain: the hub is not a national service). */
export const HUB_CANONICAL = 'https://pcn-referral-hub.example.org/fhir';

export const SYSTEMS = {
  nhsNumber: 'https://fhir.nhs.uk/Id/nhs-number',
  odsOrganisation: 'https://fhir.nhs.uk/Id/ods-organization-code',
  odsSite: 'https://fhir.nhs.uk/Id/ods-site-code',
  dosServiceId: 'https://fhir.nhs.uk/Id/dos-service-id',
  barsMessageEvents: 'https://fhir.nhs.uk/CodeSystem/message-events-bars',
  barsMessageReason: 'https://fhir.nhs.uk/CodeSystem/message-reason-bars',
  /** BaRS use cases (a5t1: GP practice to community pharmacy...): how a BaRS sender says what it asks for. */
  barsUseCase: 'https://fhir.nhs.uk/CodeSystem/usecases-categories-bars',
  httpErrorCodes: 'https://fhir.nhs.uk/Codesystem/http-error-codes',
  hubMessageEvents: `${HUB_CANONICAL}/CodeSystem/hub-message-events`,
  hubServiceCategory: `${HUB_CANONICAL}/CodeSystem/pcn-service-category`,
  hubEndpoint: `${HUB_CANONICAL}/Id/endpoint`,
  hubService: `${HUB_CANONICAL}/Id/service`,
  /** Tags the hub puts on resources it serves (e.g. overdue on a Task). */
  hubTags: `${HUB_CANONICAL}/CodeSystem/hub-tags`,
  /** Sample business identifiers of referrals and tasks (a real practice system uses its own). */
  sampleReferralId: `${HUB_CANONICAL}/Id/sample-referral`,
  sampleTaskId: `${HUB_CANONICAL}/Id/sample-task`,
  /** The Task of a team answering in the hub's web app (the hub is that team's system). */
  inboxTaskId: `${HUB_CANONICAL}/Id/inbox-task`,
  /** Why a team cannot take a referral (the hub's own: no national list exists). */
  rejectionReason: `${HUB_CANONICAL}/CodeSystem/referral-rejection-reason`,
  /** How a piece of work ended (the hub's own until verified SNOMED CT outcome codes are mapped). */
  referralOutcome: `${HUB_CANONICAL}/CodeSystem/referral-outcome`,
  hubEndpointConnectionType: `${HUB_CANONICAL}/CodeSystem/endpoint-connection-type`,
  hubNetworkExtension: `${HUB_CANONICAL}/StructureDefinition/network`,
  snomed: 'http://snomed.info/sct',
} as const;

/** Spellings of identifier systems seen in national examples; accepted on input, never emitted. */
export const SYSTEM_ALIASES: Record<string, string> = {
  'https://fhir.nhs.uk/Id/ods-organisation-code': SYSTEMS.odsOrganisation,
  'http://fhir.nhs.uk/Id/ods-organization-code': SYSTEMS.odsOrganisation,
  'https://fhir.nhs.uk/id/ods-organization-code': SYSTEMS.odsOrganisation,
  'http://fhir.nhs.uk/Id/ods-organisation-code': SYSTEMS.odsOrganisation,
  'https://fhir.nhs.uk/id/ods-organisation-code': SYSTEMS.odsOrganisation,
  'http://fhir.nhs.uk/Id/nhs-number': SYSTEMS.nhsNumber,
  'https://fhir.nhs.uk/id/nhs-number': SYSTEMS.nhsNumber,
  'http://fhir.nhs.uk/Id/dos-service-id': SYSTEMS.dosServiceId,
  'https://fhir.nhs.uk/id/dos-service-id': SYSTEMS.dosServiceId,
  'http://fhir.nhs.uk/Id/ods-site-code': SYSTEMS.odsSite,
  'https://fhir.nhs.uk/id/ods-site-code': SYSTEMS.odsSite,
};

/** The canonical spelling of an identifier system (unknown systems pass through unchanged). */
export function canonicalSystem(system: string | undefined): string | undefined {
  return system === undefined ? undefined : (SYSTEM_ALIASES[system] ?? system);
}

/** Message events the hub handles; the MessageDefinitions in fhir-profiles/ describe each. */
export const EVENTS = {
  referralRequest: 'servicerequest-request',
  referralResponse: 'servicerequest-response',
  careHomeTaskRequest: 'task-request',
  taskUpdate: 'task-update',
} as const;

/** BaRS HTTP headers (lower case: API Gateway v2 delivers header names lower-cased). */
export const HEADERS = {
  requestId: 'x-request-id',
  correlationId: 'x-correlation-id',
  targetIdentifier: 'nhsd-target-identifier',
  endUserOrganisation: 'nhsd-end-user-organisation',
  requestingSoftware: 'nhsd-requesting-software',
} as const;

export const FHIR_JSON = 'application/fhir+json';

/** FHIR's id datatype (https://hl7.org/fhir/R4/datatypes.html#id): also every message identity (Bundle.id). */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
