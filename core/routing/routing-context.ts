import type { CodeSystem, Location, Organization, Patient, ServiceRequest, Task } from 'fhir/r4';
import { issue, NotSupportedError, UnprocessableError } from '../errors.js';
import { identifierValue, type MessageBundle, resolveResource } from '../fhir/bundle.js';
import { SYSTEMS } from '../fhir/systems.js';
import { hubConformance } from '../validation/conformance.js';
import type { Urgency } from './network.js';
import type { RoutingContext } from './resolve.js';

/** Category codes and their SNOMED CT and BaRS use-case equivalents, read from the hub's pcn-service-category CodeSystem. */
export interface CategoryIndex {
  codes: Set<string>;
  bySnomed: Map<string, string>;
  /** BaRS use case (usecases-categories-bars) -> the hub category it asks for. */
  byBarsUseCase: Map<string, string>;
  /** Each code's name for people (the CodeSystem's display). */
  names: Map<string, string>;
  /** Each BaRS use case's name (its CodeSystem's display), for the answers that name one. */
  useCaseNames: Map<string, string>;
}

export function indexCategories(codeSystem: CodeSystem, useCases?: CodeSystem): CategoryIndex {
  const codes = new Set<string>();
  const bySnomed = new Map<string, string>();
  const byBarsUseCase = new Map<string, string>();
  const names = new Map<string, string>();
  for (const concept of codeSystem.concept ?? []) {
    codes.add(concept.code);
    if (concept.display) names.set(concept.code, concept.display);
    for (const property of concept.property ?? []) {
      if (property.code === 'snomed' && property.valueCode) bySnomed.set(property.valueCode, concept.code);
      if (property.code === 'bars-use-case' && property.valueCode) byBarsUseCase.set(property.valueCode, concept.code);
    }
  }
  const useCaseNames = new Map((useCases?.concept ?? []).map((c) => [c.code, c.display ?? c.code]));
  return { codes, bySnomed, byBarsUseCase, names, useCaseNames };
}

/** The hub's own service categories (fhir-profiles/CodeSystem/pcn-service-category), indexed once per process. */
export const HUB_CATEGORIES: CategoryIndex = indexCategories(
  hubConformance.codeSystems.get(SYSTEMS.hubServiceCategory) as CodeSystem,
  hubConformance.codeSystems.get(SYSTEMS.barsUseCase),
);

/** What a request asks for: the hub category, and the BaRS use case when it names one. */
export interface RequestedService {
  category: string;
  useCase?: string;
}

/**
 * What a request asks for: a hub category coding, else a SNOMED CT code the hub maps, else a BaRS use case the hub
 * maps. A BaRS use case the hub does not map is refused as not supported (422), naming the use cases the sender's
 * network offers: the sender must send it elsewhere, not correct it.
 */
export function requestedService(
  focus: ServiceRequest | Task,
  categories: CategoryIndex,
  focusPath: string,
  offeredUseCases: readonly string[] = [],
): RequestedService {
  const concepts =
    focus.resourceType === 'ServiceRequest'
      ? [...(focus.category ?? []), ...(focus.code ? [focus.code] : [])]
      : focus.code
        ? [focus.code]
        : [];
  const codings = concepts.flatMap((c) => c.coding ?? []);
  const useCase = codings.find((c) => c.system === SYSTEMS.barsUseCase && typeof c.code === 'string')?.code;
  const withUseCase = (category: string): RequestedService => (useCase ? { category, useCase } : { category });
  const hub = codings.find((c) => c.system === SYSTEMS.hubServiceCategory && c.code && categories.codes.has(c.code));
  if (hub?.code) return withUseCase(hub.code);
  const mapped = codings
    .map((c) => (c.system === SYSTEMS.snomed && c.code ? categories.bySnomed.get(c.code) : undefined))
    .find(Boolean);
  if (mapped) return withUseCase(mapped);
  const byUseCase = useCase ? categories.byBarsUseCase.get(useCase) : undefined;
  if (byUseCase) return withUseCase(byUseCase);
  if (useCase) {
    const named = (code: string) => `${code} (${categories.useCaseNames.get(code) ?? code})`;
    throw new NotSupportedError('Use case not supported', [
      issue(
        'not-supported',
        `BaRS use case ${named(useCase)} is not a service this network offers; its use cases: ${offeredUseCases.map(named).join(', ') || 'none'}`,
        `${focusPath}.category`,
      ),
    ]);
  }
  const where = `${focusPath}.${focus.resourceType === 'ServiceRequest' ? 'category' : 'code'}`;
  throw new UnprocessableError('Unknown service category', [
    issue(
      'code-invalid',
      `The request names no service category of ${SYSTEMS.hubServiceCategory}, nor a SNOMED CT code or BaRS use case the hub maps to one`,
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
  offeredUseCases: readonly string[] = [],
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
  const context: RoutingContext = {
    senderPractice,
    ...requestedService(focus, categories, focusPath, offeredUseCases),
    at,
  };
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
