import type { CodeSystem, Location, Organization, Patient, ServiceRequest, Task } from 'fhir/r4';
import { issue, UnprocessableError } from '../errors.js';
import { identifierValue, type MessageBundle, resolveResource } from '../fhir/bundle.js';
import { SYSTEMS } from '../fhir/systems.js';
import { hubConformance } from '../validation/conformance.js';
import type { Urgency } from './network.js';
import type { RoutingContext } from './resolve.js';

/** Category codes and SNOMED CT equivalents, read from the hub's pcn-service-category CodeSystem. */
export interface CategoryIndex {
  codes: Set<string>;
  bySnomed: Map<string, string>;
  /** Each code's name for people (the CodeSystem's display). */
  names: Map<string, string>;
}

export function indexCategories(codeSystem: CodeSystem): CategoryIndex {
  const codes = new Set<string>();
  const bySnomed = new Map<string, string>();
  const names = new Map<string, string>();
  for (const concept of codeSystem.concept ?? []) {
    codes.add(concept.code);
    if (concept.display) names.set(concept.code, concept.display);
    const snomed = concept.property?.find((p) => p.code === 'snomed')?.valueCode;
    if (snomed) bySnomed.set(snomed, concept.code);
  }
  return { codes, bySnomed, names };
}

/** The hub's own service categories (fhir-profiles/CodeSystem/pcn-service-category), indexed once per process. */
export const HUB_CATEGORIES: CategoryIndex = indexCategories(
  hubConformance.codeSystems.get(SYSTEMS.hubServiceCategory) as CodeSystem,
);

/** The service category asked for: a hub category coding, else a SNOMED CT code the hub maps. */
export function requestedCategory(focus: ServiceRequest | Task, categories: CategoryIndex, focusPath: string): string {
  const concepts =
    focus.resourceType === 'ServiceRequest'
      ? [...(focus.category ?? []), ...(focus.code ? [focus.code] : [])]
      : focus.code
        ? [focus.code]
        : [];
  const codings = concepts.flatMap((c) => c.coding ?? []);
  const hub = codings.find((c) => c.system === SYSTEMS.hubServiceCategory && c.code && categories.codes.has(c.code));
  if (hub?.code) return hub.code;
  const mapped = codings
    .map((c) => (c.system === SYSTEMS.snomed && c.code ? categories.bySnomed.get(c.code) : undefined))
    .find(Boolean);
  if (mapped) return mapped;
  const where = `${focusPath}.${focus.resourceType === 'ServiceRequest' ? 'category' : 'code'}`;
  throw new UnprocessableError('Unknown service category', [
    issue(
      'code-invalid',
      `The request names no service category of ${SYSTEMS.hubServiceCategory}, nor a SNOMED CT code the hub maps to one`,
      where,
    ),
  ]);
}

/** Everything routing needs from a validated message. */
export function routingContext(
  bundle: MessageBundle,
  focus: ServiceRequest | Task,
  senderPractice: string,
  categories: CategoryIndex,
  at: Date,
): RoutingContext {
  const patientRef = focus.resourceType === 'ServiceRequest' ? focus.subject : focus.for;
  const patient = resolveResource<Patient>(bundle, patientRef, 'Patient');
  const gp = patient?.generalPractitioner
    ?.map((ref) => resolveResource<Organization>(bundle, ref, 'Organization'))
    .find(Boolean);
  const locationRefs =
    focus.resourceType === 'ServiceRequest' ? (focus.locationReference ?? []) : focus.location ? [focus.location] : [];
  const location = locationRefs.map((ref) => resolveResource<Location>(bundle, ref, 'Location')).find(Boolean);
  const focusPath = `Bundle.entry[${(bundle.entry ?? []).findIndex((e) => e.resource === focus)}].resource`;
  const context: RoutingContext = { senderPractice, category: requestedCategory(focus, categories, focusPath), at };
  const registeredPractice = identifierValue(gp?.identifier, SYSTEMS.odsOrganisation);
  if (registeredPractice) context.registeredPractice = registeredPractice;
  const careHome = identifierValue(location?.identifier, SYSTEMS.odsSite) ?? location?.identifier?.[0]?.value;
  if (careHome) context.careHome = careHome;
  const district = postcodeDistrict(patient?.address?.find((a) => a.postalCode)?.postalCode);
  if (district) context.postcodeDistrict = district;
  const age = patient?.birthDate ? ageInYears(patient.birthDate, at) : undefined;
  if (age !== undefined) context.ageYears = age;
  const priority = focus.priority as Urgency | undefined;
  if (priority) context.urgency = priority;
  return context;
}

/** "MK5 6LT" -> "MK5"; a postcode without a space keeps all but its last three characters. */
export function postcodeDistrict(postcode: string | undefined): string | undefined {
  if (!postcode) return undefined;
  const compact = postcode.toUpperCase().replace(/\s+/g, '');
  return compact.length > 3 ? compact.slice(0, -3) : undefined;
}

export function ageInYears(birthDate: string, at: Date): number | undefined {
  const [y, m = 1, d = 1] = birthDate.split('-').map(Number);
  if (!y) return undefined;
  let age = at.getUTCFullYear() - y;
  if (at.getUTCMonth() + 1 < m || (at.getUTCMonth() + 1 === m && at.getUTCDate() < d)) age -= 1;
  return age;
}
