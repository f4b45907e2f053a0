import type {
  FhirResource,
  MessageDefinition,
  MessageHeader,
  ServiceRequest,
  StructureDefinition,
  Task,
} from 'fhir/r4';
import { BadRequestError, type Issue, issue, UnprocessableError } from '../errors.js';
import {
  canonicaliseIdentifierSystems,
  type MessageBundle,
  resolveInBundle,
  senderOrganization,
} from '../fhir/bundle.js';
import { isValidNhsNumber } from '../fhir/nhs-number.js';
import { canonicalSystem, FHIR_ID, HUB_CANONICAL, SYSTEMS } from '../fhir/systems.js';
import { quoted } from '../json-guard.js';
import { uniqueBy } from '../unique.js';
import { checkBaseStructure } from './base-structure.js';
import { type Conformance, headerProfileFor, hubConformance, messageDefinitionFor } from './conformance.js';
import { checkJsonLimits } from './limits.js';
import { checkProfile } from './profile-check.js';

export interface ValidatedMessage {
  bundle: MessageBundle;
  header: MessageHeader;
  definition: MessageDefinition;
  /**
   * The resource MessageHeader.focus names (ServiceRequest or Task), when the event has one. A BaRS response may
   * focus on its Encounter: then the message's ServiceRequest (the referral as the receiver now holds it).
   */
  focus: ServiceRequest | Task | undefined;
}

/** Profiles applied to every resource of a type wherever it stands in a message. */
const PROFILE_BY_TYPE: Record<string, string> = {
  Bundle: `${HUB_CANONICAL}/StructureDefinition/HubBundleMessage`,
  Patient: `${HUB_CANONICAL}/StructureDefinition/HubPatient`,
};
/** Applied to the organisation MessageHeader.sender names (directly or through a PractitionerRole). */
const SENDER_PROFILE = `${HUB_CANONICAL}/StructureDefinition/HubOrganization`;
/**
 * Applied instead of the referral profile to the ServiceRequest of a BaRS update or cancellation (reason update or
 * delete): it goes where its referral went, so it need not name the service, requester or date again.
 */
const CHANGE_PROFILE = `${HUB_CANONICAL}/StructureDefinition/HubServiceRequest-change`;
/** BaRS MessageHeader.reason codes of a message that changes a referral the hub already carried. */
export const CHANGE_REASONS = ['update', 'delete'] as const;

/**
 * Validates an inbound message against R4 and the hub's profiles. Collects every issue, then fails once:
 * 400 when the message is malformed, 422 when it is well-formed but asks for something the hub does not do.
 * On success the Bundle's identifier systems are rewritten to their canonical spelling.
 */
export function validateMessage(body: unknown, conformance: Conformance = hubConformance): ValidatedMessage {
  const bundle = messageBundleOf(body);
  checkJsonLimits(bundle);
  // Known misspellings of identifier systems are accepted: everything below sees (and the hub emits) canonical ones.
  canonicaliseIdentifierSystems(bundle);
  const found: Found = { invalid: [...checkBaseStructure(bundle), ...identityIssues(bundle)], unprocessable: [] };
  const safely = safelyInto(found.invalid);
  safely(() => found.invalid.push(...profileIssues(bundle, bundle, 'Bundle', conformance)));
  const header = headerOf(bundle);
  const { definition, focus } = header ? checkHeader(bundle, header, conformance, found) : {};
  safely(() =>
    (bundle.entry ?? []).forEach((entry, index) => {
      if (entry?.resource && index > 0)
        found.invalid.push(...profileIssues(entry.resource, bundle, `Bundle.entry[${index}].resource`, conformance));
    }),
  );
  safely(() => found.invalid.push(...elementIssues(bundle, conformance)));

  const { invalid, unprocessable } = found;
  const everything = dedupe([...invalid, ...unprocessable].map((i) => withCodesListed(i, conformance)));
  // An event the hub does not handle is always 422, whatever else is wrong (BaRS: the sender must not retry as is).
  if (unprocessable.some((i) => i.expression === 'Bundle.entry[0].resource.eventCoding')) {
    throw new UnprocessableError('The hub cannot process this message', everything);
  }
  if (invalid.length > 0) throw new BadRequestError('The message is not valid', everything);
  if (unprocessable.length > 0) throw new UnprocessableError('The hub cannot process this message', unprocessable);
  return { bundle, header: header!, definition: definition!, focus };
}

/** What the checks found: issues that make the message invalid (400), and those the hub cannot process (422). */
interface Found {
  invalid: Issue[];
  unprocessable: Issue[];
}

/** The body as a Bundle, or refused at once: nothing else can be checked of what is not a JSON object Bundle. */
function messageBundleOf(body: unknown): MessageBundle {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestError('Not a FHIR resource', [
      issue('structure', 'The body must be a JSON object: a FHIR Bundle of type message'),
    ]);
  }
  const resourceType = (body as { resourceType?: unknown }).resourceType;
  if (resourceType !== 'Bundle') {
    throw new BadRequestError('Not a Bundle', [
      issue(
        'invalid',
        `Expected resourceType 'Bundle' (a FHIR message), found ${quoted(resourceType ?? null)}`,
        'resourceType',
      ),
    ]);
  }
  return body as MessageBundle;
}

/** The message's identity and every resource's id: FHIR ids (R4's id type), since they are stored and delivered. */
function identityIssues(bundle: MessageBundle): Issue[] {
  const issues: Issue[] = [];
  if (typeof bundle.id !== 'string' || !FHIR_ID.test(bundle.id)) {
    issues.push(
      issue(
        'value',
        "Bundle.id (the message's identity) must be a FHIR id: 1 to 64 letters, digits, '-' or '.'",
        'Bundle.id',
      ),
    );
  }
  (Array.isArray(bundle.entry) ? bundle.entry : []).forEach((entry, index) => {
    const id = (entry as { resource?: { id?: unknown } } | null)?.resource?.id;
    if (id !== undefined && (typeof id !== 'string' || !FHIR_ID.test(id)))
      issues.push(
        issue(
          'value',
          "A resource id must be a FHIR id: 1 to 64 letters, digits, '-' or '.'",
          `Bundle.entry[${index}].resource.id`,
        ),
      );
  });
  return issues;
}

/**
 * Runs a check that reads the message as R4 shapes it. R4's own check has reported any value of the wrong type; a
 * check that stumbles on one adds nothing more (and never fails the request with a 500).
 */
const safelyInto = (invalid: Issue[]) => (check: () => void) => {
  try {
    check();
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
    if (invalid.length === 0)
      invalid.push(issue('structure', 'The message does not have the shape of a FHIR R4 message Bundle', 'Bundle'));
  }
};

/** The MessageHeader, when the first entry is one. */
function headerOf(bundle: MessageBundle): MessageHeader | undefined {
  const firstEntry = Array.isArray(bundle.entry) ? (bundle.entry[0] as unknown) : undefined;
  return (firstEntry as { resource?: { resourceType?: unknown } } | null)?.resource?.resourceType === 'MessageHeader'
    ? (firstEntry as { resource: MessageHeader }).resource
    : undefined;
}

/** The header's event (one the hub handles), its profile, its focus and its sender. */
function checkHeader(
  bundle: MessageBundle,
  header: MessageHeader,
  conformance: Conformance,
  found: Found,
): { definition?: MessageDefinition; focus?: ServiceRequest | Task } {
  const safely = safelyInto(found.invalid);
  const definition = messageDefinitionFor(conformance, header.eventCoding);
  let focus: ServiceRequest | Task | undefined;
  if (!definition) {
    const coding = header.eventCoding;
    found.unprocessable.push(
      issue(
        'not-supported',
        `Message event ${coding?.system ?? ''}|${coding?.code ?? ''} is not supported by the hub; supported: ${conformance.messageDefinitions.map((d) => d.eventCoding?.code).join(', ')}`,
        'Bundle.entry[0].resource.eventCoding',
      ),
    );
  } else {
    const headerProfile = headerProfileFor(conformance, definition.eventCoding ?? {});
    if (headerProfile)
      safely(() =>
        found.invalid.push(...checkProfile(header, headerProfile, 'Bundle.entry[0].resource', bundle, conformance)),
      );
    safely(() => {
      const focusResult = checkFocus(bundle, header, definition, conformance);
      found.invalid.push(...focusResult.invalid);
      found.unprocessable.push(...focusResult.unprocessable);
      focus = focusResult.focus;
    });
  }
  safely(() => found.invalid.push(...senderIssues(bundle, header, conformance)));
  return { ...(definition ? { definition } : {}), ...(focus ? { focus } : {}) };
}

function profileIssues(resource: FhirResource, bundle: MessageBundle, path: string, conformance: Conformance): Issue[] {
  const url = PROFILE_BY_TYPE[resource.resourceType];
  const profile = url ? conformance.structureDefinitions.get(url) : undefined;
  return profile ? checkProfile(resource, profile, path, bundle, conformance) : [];
}

function checkFocus(
  bundle: MessageBundle,
  header: MessageHeader,
  definition: MessageDefinition,
  conformance: Conformance,
) {
  const invalid: Issue[] = [];
  const unprocessable: Issue[] = [];
  let focus: ServiceRequest | Task | undefined;
  const allowed = definition.focus ?? [];
  const reason = header.reason?.coding?.find((c) => c.system === SYSTEMS.barsMessageReason)?.code;
  const changes = CHANGE_REASONS.includes(reason as (typeof CHANGE_REASONS)[number]);
  (header.focus ?? []).forEach((ref, i) => {
    const entry = resolveInBundle(bundle, ref.reference);
    const path = `Bundle.entry[0].resource.focus[${i}]`;
    if (!entry?.resource) return; // reported as an unresolved reference
    const rule = allowed.find((f) => f.code === entry.resource!.resourceType);
    if (!rule) {
      unprocessable.push(
        issue(
          'not-supported',
          `A ${definition.eventCoding?.code} message cannot have a ${entry.resource.resourceType} as its focus; expected ${allowed.map((f) => f.code).join(' or ')}`,
          path,
        ),
      );
      return;
    }
    const profileUrl = changes && entry.resource.resourceType === 'ServiceRequest' ? CHANGE_PROFILE : rule.profile;
    const profile: StructureDefinition | undefined = profileUrl
      ? conformance.structureDefinitions.get(profileUrl)
      : undefined;
    const index = (bundle.entry ?? []).indexOf(entry);
    if (profile)
      invalid.push(...checkProfile(entry.resource, profile, `Bundle.entry[${index}].resource`, bundle, conformance));
    if (entry.resource.resourceType === 'ServiceRequest' || entry.resource.resourceType === 'Task')
      focus ??= entry.resource;
  });
  if (
    !focus &&
    (header.focus ?? []).some((ref) => resolveInBundle(bundle, ref.reference)?.resource?.resourceType === 'Encounter')
  ) {
    // BaRS puts a response's focus on the Encounter; the referral it answers is the message's ServiceRequest.
    const index = (bundle.entry ?? []).findIndex((e) => e?.resource?.resourceType === 'ServiceRequest');
    const request = bundle.entry?.[index]?.resource as ServiceRequest | undefined;
    const rule = allowed.find((f) => f.code === 'ServiceRequest');
    const profile = rule?.profile ? conformance.structureDefinitions.get(rule.profile) : undefined;
    if (request && profile)
      invalid.push(...checkProfile(request, profile, `Bundle.entry[${index}].resource`, bundle, conformance));
    focus = request;
  }
  return { invalid, unprocessable, focus };
}

/** The sending organisation must be named by its ODS code: the hub routes and authorises on it. */
function senderIssues(bundle: MessageBundle, header: MessageHeader, conformance: Conformance): Issue[] {
  const profile = conformance.structureDefinitions.get(SENDER_PROFILE);
  const sender = senderOrganization(bundle, header);
  if (!profile || !sender) return [];
  const index = (bundle.entry ?? []).findIndex((e) => e.resource === sender);
  return checkProfile(sender, profile, `Bundle.entry[${index}].resource`, bundle, conformance);
}

/**
 * Checks on every element of the message, in one walk: every urn:uuid reference names an entry of the Bundle (a
 * message is self-contained); every NHS number passes the Modulus 11 check; a coding in one of the hub's own
 * (complete) CodeSystems is one of its codes.
 */
function elementIssues(bundle: MessageBundle, conformance: Conformance): Issue[] {
  const issues: Issue[] = [];
  walk(bundle, ['Bundle'], (value, location) => {
    const element = value as { reference?: unknown; system?: unknown; value?: unknown; code?: unknown };
    if (
      typeof element.reference === 'string' &&
      element.reference.startsWith('urn:uuid:') &&
      !resolveInBundle(bundle, element.reference)
    ) {
      issues.push(
        issue(
          'invariant',
          `Reference '${element.reference}' does not resolve to an entry of the message Bundle`,
          `${pathOf(location)}.reference`,
        ),
      );
    }
    if (typeof element.system !== 'string') return;
    if (
      canonicalSystem(element.system) === SYSTEMS.nhsNumber &&
      (typeof element.value !== 'string' || !isValidNhsNumber(element.value))
    ) {
      issues.push(
        issue(
          'value',
          'NHS number is not valid: it must be 10 digits passing the Modulus 11 check',
          `${pathOf(location)}.value`,
        ),
      );
    }
    const codeSystem = conformance.codeSystems.get(element.system);
    if (codeSystem && typeof element.code === 'string' && !codeSystem.concept?.some((c) => c.code === element.code)) {
      issues.push(
        issue('code-invalid', `'${element.code}' is not a code of ${element.system}`, `${pathOf(location)}.code`),
      );
    }
  });
  return issues;
}

type Location = (string | number)[];

/**
 * Visits every object inside the value, depth first, with its location as names and indexes: one array, changed as
 * the walk moves, so a visitor reads it at once (and spells it out only for an issue).
 */
function walk(value: unknown, location: Location, visit: (value: object, location: Location) => void): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      location.push(i);
      walk(value[i], location, visit);
      location.pop();
    }
  } else if (value && typeof value === 'object') {
    visit(value, location);
    for (const key in value) {
      const child = (value as Record<string, unknown>)[key];
      if (!child || typeof child !== 'object') continue;
      location.push(key);
      walk(child, location, visit);
      location.pop();
    }
  }
}

/** A location as FHIRPath: Bundle.entry[0].resource. */
const pathOf = (location: Location) =>
  location.reduce<string>(
    (path, step) => (typeof step === 'number' ? `${path}[${step}]` : path ? `${path}.${step}` : step),
    '',
  );

/** One issue per element and kind: R4 and the hub's profile can both report the same missing element. */
const dedupe = (issues: Issue[]) => uniqueBy(issues, (i) => `${i.expression}|${i.code}`);

/** hub-sr-1 (no routable service) names the CodeSystem and every code a sender may use, so it can fix the message. */
function withCodesListed(found: Issue, conformance: Conformance): Issue {
  if (!found.diagnostics.startsWith('hub-sr-1')) return found;
  const codeSystem = conformance.codeSystems.get(SYSTEMS.hubServiceCategory);
  const codes = (codeSystem?.concept ?? []).map((c) => c.code);
  const snomed = (codeSystem?.concept ?? []).flatMap((c) =>
    (c.property ?? []).filter((p) => p.code === 'snomed').map((p) => `${p.valueCode} (${c.code})`),
  );
  const useCases = (codeSystem?.concept ?? []).flatMap((c) =>
    (c.property ?? []).filter((p) => p.code === 'bars-use-case').map((p) => `${p.valueCode} (${c.code})`),
  );
  return {
    ...found,
    diagnostics: `${found.diagnostics}. ServiceRequest.category from ${SYSTEMS.hubServiceCategory}: ${codes.join(', ')}; or from ${SYSTEMS.barsUseCase}: ${useCases.join(', ')}; or ServiceRequest.code from ${SYSTEMS.snomed}: ${snomed.join(', ')}`,
  };
}
