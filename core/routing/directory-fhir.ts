import type { Bundle, Endpoint, FhirResource, HealthcareService, Organization } from 'fhir/r4';
import { BadRequestError, issue } from '../errors.js';
import { pageLinks, pageSize } from '../fhir/paging.js';
import { canonicalSystem, SYSTEMS } from '../fhir/systems.js';
import { describeAvailability, notAcceptingReason, type ServiceAvailability } from './availability.js';
import type { NetworkDefinition, PartnerKind } from './network.js';

/** The routing tables as FHIR: the BaRS-style endpoint catalogue of the networks the hub serves. */
export interface FhirDirectory {
  Organization: Organization[];
  HealthcareService: HealthcareService[];
  Endpoint: Endpoint[];
}

const KIND_DISPLAY: Record<PartnerKind, string> = {
  'gp-practice': 'GP practice',
  pcn: 'Primary Care Network',
  'community-services': 'Community services',
  'mental-health': 'Mental health',
  'social-care': 'Social care',
  'community-pharmacy': 'Community pharmacy',
  hospital: 'Hospital',
  'voluntary-sector': 'Voluntary sector',
  'care-home': 'Care home',
};

export function fhirDirectory(
  networks: NetworkDefinition[],
  availability: readonly ServiceAvailability[] = [],
  at: Date = new Date(),
): FhirDirectory {
  const said = new Map(availability.map((a) => [`${a.networkId}/${a.serviceId}`, a]));
  const organisations = new Map<string, Organization>();
  const services: HealthcareService[] = [];
  const endpoints = new Map<string, Endpoint>();
  const org = (odsCode: string, name: string, kind: PartnerKind, partOf?: string): Organization => ({
    resourceType: 'Organization',
    id: odsCode,
    active: true,
    name,
    identifier: [{ system: SYSTEMS.odsOrganisation, value: odsCode }],
    type: [{ text: KIND_DISPLAY[kind] }],
    ...(partOf ? { partOf: { reference: `Organization/${partOf}` } } : {}),
  });
  for (const network of networks) {
    organisations.set(network.odsCode, org(network.odsCode, network.name, 'pcn'));
    for (const p of network.practices)
      organisations.set(p.odsCode, org(p.odsCode, p.name, 'gp-practice', network.odsCode));
    for (const o of network.organisations)
      if (!organisations.has(o.odsCode)) organisations.set(o.odsCode, org(o.odsCode, o.name, o.kind));
    for (const e of network.endpoints) {
      endpoints.set(e.id, {
        resourceType: 'Endpoint',
        id: e.id,
        status: 'active',
        identifier: [{ system: SYSTEMS.hubEndpoint, value: e.id }],
        connectionType:
          e.channel === 'fhir-push'
            ? {
                system: 'https://fhir.nhs.uk/CodeSystem/endpoint-connection-type',
                code: 'hl7-fhir-msg',
                display: 'HL7 FHIR Messaging',
              }
            : {
                system: SYSTEMS.hubEndpointConnectionType,
                code: 'hub-mailbox',
                display: 'Hub mailbox (receiver pulls)',
              },
        managingOrganization: { reference: `Organization/${e.organisation}` },
        payloadType: [
          {
            coding: [{ system: 'https://fhir.nhs.uk/CodeSystem/endpoint-payload-type', code: 'bars', display: 'BaRS' }],
          },
        ],
        payloadMimeType: ['application/fhir+json'],
        address: e.address ?? `mailbox:${e.organisation}`,
      });
    }
    for (const s of network.services) {
      const team = said.get(`${network.id}/${s.id}`);
      const exceptions = [
        s.paused ? `Paused: referrals divert to ${s.fallback}` : undefined,
        describeAvailability(team, at),
      ].filter(Boolean);
      services.push({
        resourceType: 'HealthcareService',
        id: s.id,
        active: !s.paused && !notAcceptingReason(team, at),
        identifier: [
          { system: SYSTEMS.hubService, value: s.id },
          ...(s.dosServiceId ? [{ system: SYSTEMS.dosServiceId, value: s.dosServiceId }] : []),
        ],
        providedBy: { reference: `Organization/${s.provider}` },
        category: s.categories.map((code) => ({ coding: [{ system: SYSTEMS.hubServiceCategory, code }] })),
        // The BaRS use cases it takes, so a BaRS sender discovers which service to address, and how.
        ...(s.barsUseCases
          ? { type: s.barsUseCases.map((code) => ({ coding: [{ system: SYSTEMS.barsUseCase, code }] })) }
          : {}),
        name: s.name,
        endpoint: [{ reference: `Endpoint/${s.endpoint}` }],
        ...(exceptions.length ? { availabilityExceptions: exceptions.join('; ') } : {}),
        extension: [{ url: SYSTEMS.hubNetworkExtension, valueString: network.id }],
      });
    }
  }
  return { Organization: [...organisations.values()], HealthcareService: services, Endpoint: [...endpoints.values()] };
}

/** Search parameters each directory resource supports, with their FHIR types (the CapabilityStatement lists them). */
export const DIRECTORY_SEARCH_PARAMS = {
  Organization: { identifier: 'token', name: 'string' },
  HealthcareService: {
    identifier: 'token',
    'service-category': 'token',
    'service-type': 'token',
    organization: 'reference',
    name: 'string',
  },
  Endpoint: { identifier: 'token', organization: 'reference', name: 'string' },
} as const satisfies Record<keyof FhirDirectory, Record<string, 'token' | 'string' | 'reference'>>;

/** Parameters every search takes that only shape the answer. */
export const RESULT_PARAMS = ['_count', 'cursor', '_format'] as const;
/** Directory entries one page holds unless `_count` says otherwise, and the most it may ask for. */
export const DIRECTORY_PAGE_SIZE = 100;
export const MAX_DIRECTORY_PAGE = 1000;

/**
 * FHIR search over the directory: identifier (system|value or value), service-category, service-type (a BaRS use
 * case), organization, name.
 */
export function searchDirectory(resources: FhirResource[], params: Record<string, string>): FhirResource[] {
  return resources.filter((resource) =>
    Object.entries(params).every(([name, value]) => matches(resource, name, value)),
  );
}

function matches(resource: FhirResource, name: string, value: string): boolean {
  const r = resource as FhirResource & Record<string, unknown>;
  switch (name) {
    case 'identifier': {
      const [system, code] = value.includes('|') ? value.split('|') : [undefined, value];
      return ((r.identifier as { system?: string; value?: string }[] | undefined) ?? []).some(
        (i) => i.value === code && (system === undefined || system === '' || canonicalSystem(system) === i.system),
      );
    }
    case 'service-category':
      return (
        resource.resourceType === 'HealthcareService' &&
        (resource.category ?? []).some((c) => c.coding?.some((cd) => cd.code === (value.split('|').pop() ?? value)))
      );
    case 'service-type':
      return (
        resource.resourceType === 'HealthcareService' &&
        (resource.type ?? []).some((t) => t.coding?.some((cd) => cd.code === (value.split('|').pop() ?? value)))
      );
    case 'organization': {
      const target = `Organization/${value.replace(/^Organization\//, '')}`;
      return (
        (resource.resourceType === 'HealthcareService' && resource.providedBy?.reference === target) ||
        (resource.resourceType === 'Endpoint' && resource.managingOrganization?.reference === target)
      );
    }
    case 'name':
      return typeof r.name === 'string' && r.name.toLowerCase().includes(value.toLowerCase());
    default:
      return true; // _count, cursor, _format: which page and how it is written
  }
}

/**
 * One page of a directory search as a FHIR searchset: `total` counts every match, `_count` entries from the
 * cursor's offset, with `self` and `next` links.
 */
export function searchset(
  url: string,
  resources: FhirResource[],
  query: Record<string, string | undefined>,
): Bundle<FhirResource> {
  const count = pageSize(query._count, DIRECTORY_PAGE_SIZE, MAX_DIRECTORY_PAGE);
  const offset = query.cursor === undefined ? 0 : Number(query.cursor);
  if (!/^\d+$/.test(query.cursor ?? '0') || !Number.isSafeInteger(offset))
    throw new BadRequestError('Bad cursor', [
      issue('invalid', 'cursor must be taken unchanged from a next link', 'cursor'),
    ]);
  const more = offset + count < resources.length ? String(offset + count) : undefined;
  const baseUrl = url.slice(0, url.lastIndexOf('/'));
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    link: pageLinks(url, query, more),
    entry: resources.slice(offset, offset + count).map((resource) => ({
      fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}
