/**
 * A network definition: one readable JSON file per PCN (networks/*.json), the source of the routing tables.
 * checkNetworkDefinition() refuses an invalid file with every problem and its JSON path before anything goes live.
 */

export type DeliveryChannel = 'fhir-push' | 'mailbox';
export type PartnerKind = 'gp-practice' | 'pcn' | 'community-services' | 'mental-health' | 'social-care' | 'community-pharmacy' | 'hospital' | 'voluntary-sector' | 'care-home';
export type Urgency = 'routine' | 'urgent' | 'asap' | 'stat';

export interface NetworkDefinition {
  /** Stable id of the network, e.g. "watling-street-pcn". */
  id: string;
  name: string;
  /** The PCN's ODS code. */
  odsCode: string;
  icb?: string;
  /** True when the ODS codes in the file are invented for samples and tests. */
  sample?: boolean;
  practices: PracticeDefinition[];
  organisations: OrganisationDefinition[];
  endpoints: EndpointDefinition[];
  services: ServiceDefinition[];
  careHomes?: CareHomeDefinition[];
  routes: RouteDefinition[];
}

export interface PracticeDefinition { odsCode: string; name: string; postcode?: string; endpoint?: string }
export interface OrganisationDefinition { odsCode: string; name: string; kind: PartnerKind }
export interface EndpointDefinition {
  id: string;
  organisation: string;
  channel: DeliveryChannel;
  /** FHIR base URL for fhir-push (the hub POSTs to [address]/$process-message). */
  address?: string;
}
export interface ServiceDefinition {
  id: string;
  name: string;
  /** Codes from the hub's pcn-service-category CodeSystem. */
  categories: string[];
  provider: string;
  endpoint: string;
  /** Directory of Services id, when the service has one (BaRS NHSD-Target-Identifier). */
  dosServiceId?: string;
  /** Paused (e.g. at capacity): referrals divert to the fallback service. */
  paused?: boolean;
  fallback?: string;
}
export interface CareHomeDefinition { odsCode: string; name: string; alignedPractice: string; careHomeTeam: string; postcode?: string }
export interface RouteDefinition {
  id: string;
  category: string;
  service: string;
  /** Higher wins among matching rules. */
  priority?: number;
  /** Considered only when no other rule for the category matches. */
  fallback?: boolean;
  effectiveFrom?: string;
  effectiveTo?: string;
  when?: RouteConditions;
  description?: string;
}
export interface RouteConditions {
  senderPractices?: string[];
  registeredPractices?: string[];
  careHomes?: string[];
  /** true: only for care-home residents; false: only for others. */
  careHomeResident?: boolean;
  postcodeDistricts?: string[];
  ageBand?: { min?: number; max?: number };
  urgency?: Urgency[];
}

export interface DefinitionProblem { path: string; message: string }

const ID = /^[a-z0-9][a-z0-9-]{1,62}$/;
/** ODS codes are 3 to 10 upper-case letters and digits. */
const ODS = /^[A-Z0-9]{3,10}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const URGENCIES = ['routine', 'urgent', 'asap', 'stat'];
const KINDS: PartnerKind[] = ['gp-practice', 'pcn', 'community-services', 'mental-health', 'social-care', 'community-pharmacy', 'hospital', 'voluntary-sector', 'care-home'];
const DISTRICT = /^[A-Z]{1,2}\d[A-Z\d]?$/;

/**
 * Checks structure and cross-references of a definition: every problem, each with its JSON path.
 * `categories` is the set of known service category codes (from the hub's CodeSystem).
 */
export function checkNetworkDefinition(input: unknown, categories: ReadonlySet<string>): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  if (!input || typeof input !== 'object' || Array.isArray(input)) return [{ path: '$', message: 'a network definition must be a JSON object' }];
  const n = input as Partial<NetworkDefinition> & Record<string, unknown>;
  const known = new Set(['id', 'name', 'odsCode', 'icb', 'sample', 'practices', 'organisations', 'endpoints', 'services', 'careHomes', 'routes', '$schema', 'description']);
  for (const key of Object.keys(n)) if (!known.has(key)) problem(`$.${key}`, 'unknown property');
  if (typeof n.id !== 'string' || !ID.test(n.id)) problem('$.id', 'must be a lower-case id (letters, digits, hyphens)');
  if (typeof n.name !== 'string' || !n.name.trim()) problem('$.name', 'is required');
  if (typeof n.odsCode !== 'string' || !ODS.test(n.odsCode)) problem('$.odsCode', 'must be an ODS code (3-10 upper-case letters/digits)');
  const arrays = ['practices', 'organisations', 'endpoints', 'services', 'routes'] as const;
  const missing = arrays.filter((key) => !Array.isArray(n[key]));
  for (const key of missing) problem(`$.${key}`, 'must be an array');
  if (n.careHomes !== undefined && !Array.isArray(n.careHomes)) problem('$.careHomes', 'must be an array');
  if (missing.length > 0 || (n.careHomes !== undefined && !Array.isArray(n.careHomes))) return problems; // nothing more can be cross-checked

  const def = n as NetworkDefinition;
  const practiceCodes = uniqueKeys(def.practices, 'odsCode', '$.practices', problem);
  const orgCodes = uniqueKeys(def.organisations, 'odsCode', '$.organisations', problem);
  const endpointIds = uniqueKeys(def.endpoints, 'id', '$.endpoints', problem);
  const serviceIds = uniqueKeys(def.services, 'id', '$.services', problem);
  const careHomeCodes = uniqueKeys(def.careHomes ?? [], 'odsCode', '$.careHomes', problem);
  uniqueKeys(def.routes, 'id', '$.routes', problem);
  const allOrgs = new Set([...practiceCodes, ...orgCodes]);

  def.practices.forEach((p, i) => {
    const at = `$.practices[${i}]`;
    if (!ODS.test(p.odsCode ?? '')) problem(`${at}.odsCode`, 'must be an ODS code');
    if (!p.name) problem(`${at}.name`, 'is required');
    if (p.endpoint !== undefined && !endpointIds.has(p.endpoint)) problem(`${at}.endpoint`, `names unknown endpoint '${p.endpoint}'`);
  });
  def.organisations.forEach((o, i) => {
    const at = `$.organisations[${i}]`;
    if (!ODS.test(o.odsCode ?? '')) problem(`${at}.odsCode`, 'must be an ODS code');
    if (!o.name) problem(`${at}.name`, 'is required');
    if (!KINDS.includes(o.kind)) problem(`${at}.kind`, `must be one of ${KINDS.join(', ')}`);
  });
  def.endpoints.forEach((e, i) => {
    const at = `$.endpoints[${i}]`;
    if (!ID.test(e.id ?? '')) problem(`${at}.id`, 'must be a lower-case id');
    if (!allOrgs.has(e.organisation)) problem(`${at}.organisation`, `names unknown organisation '${e.organisation}'`);
    if (e.channel !== 'fhir-push' && e.channel !== 'mailbox') problem(`${at}.channel`, "must be 'fhir-push' or 'mailbox'");
    if (e.channel === 'fhir-push' && !isHttpUrl(e.address)) problem(`${at}.address`, 'a fhir-push endpoint needs an http(s) FHIR base URL');
    if (e.channel === 'mailbox' && e.address !== undefined) problem(`${at}.address`, 'a mailbox endpoint has no address');
  });
  def.services.forEach((s, i) => {
    const at = `$.services[${i}]`;
    if (!ID.test(s.id ?? '')) problem(`${at}.id`, 'must be a lower-case id');
    if (!s.name) problem(`${at}.name`, 'is required');
    if (!Array.isArray(s.categories) || s.categories.length === 0) problem(`${at}.categories`, 'needs at least one service category');
    else s.categories.forEach((c, j) => { if (!categories.has(c)) problem(`${at}.categories[${j}]`, `'${c}' is not a code of the pcn-service-category CodeSystem`); });
    if (!allOrgs.has(s.provider)) problem(`${at}.provider`, `names unknown organisation '${s.provider}'`);
    if (!endpointIds.has(s.endpoint)) problem(`${at}.endpoint`, `names unknown endpoint '${s.endpoint}'`);
    if (s.fallback !== undefined && !serviceIds.has(s.fallback)) problem(`${at}.fallback`, `names unknown service '${s.fallback}'`);
    if (s.fallback === s.id) problem(`${at}.fallback`, 'a service cannot be its own fallback');
    if (s.paused && s.fallback === undefined) problem(`${at}.paused`, 'a paused service needs a fallback to divert to');
  });
  (def.careHomes ?? []).forEach((h, i) => {
    const at = `$.careHomes[${i}]`;
    if (!ODS.test(h.odsCode ?? '')) problem(`${at}.odsCode`, 'must be an ODS code');
    if (!practiceCodes.has(h.alignedPractice)) problem(`${at}.alignedPractice`, `names '${h.alignedPractice}', not a practice of this network`);
    if (!serviceIds.has(h.careHomeTeam)) problem(`${at}.careHomeTeam`, `names unknown service '${h.careHomeTeam}'`);
  });
  def.routes.forEach((r, i) => {
    const at = `$.routes[${i}]`;
    if (!categories.has(r.category)) problem(`${at}.category`, `'${r.category}' is not a code of the pcn-service-category CodeSystem`);
    const service = def.services.find((s) => s.id === r.service);
    if (!service) problem(`${at}.service`, `names unknown service '${r.service}'`);
    else if (!service.categories?.includes(r.category)) problem(`${at}.service`, `service '${r.service}' does not offer '${r.category}'`);
    if (r.priority !== undefined && !Number.isInteger(r.priority)) problem(`${at}.priority`, 'must be an integer');
    for (const key of ['effectiveFrom', 'effectiveTo'] as const) {
      if (r[key] !== undefined && !(DATE.test(r[key]!) && !Number.isNaN(Date.parse(r[key]!)))) problem(`${at}.${key}`, 'must be a date YYYY-MM-DD');
    }
    if (r.effectiveFrom && r.effectiveTo && r.effectiveFrom > r.effectiveTo) problem(`${at}.effectiveTo`, 'is before effectiveFrom');
    const w = r.when ?? {};
    w.senderPractices?.forEach((c, j) => { if (!practiceCodes.has(c)) problem(`${at}.when.senderPractices[${j}]`, `'${c}' is not a practice of this network`); });
    w.careHomes?.forEach((c, j) => { if (!careHomeCodes.has(c)) problem(`${at}.when.careHomes[${j}]`, `'${c}' is not a care home of this network`); });
    w.registeredPractices?.forEach((c, j) => { if (!ODS.test(c)) problem(`${at}.when.registeredPractices[${j}]`, 'must be an ODS code'); });
    w.postcodeDistricts?.forEach((d, j) => { if (!DISTRICT.test(d)) problem(`${at}.when.postcodeDistricts[${j}]`, `'${d}' is not a postcode district (e.g. MK5)`); });
    w.urgency?.forEach((u, j) => { if (!URGENCIES.includes(u)) problem(`${at}.when.urgency[${j}]`, `must be one of ${URGENCIES.join(', ')}`); });
    if (w.ageBand && (w.ageBand.min ?? 0) > (w.ageBand.max ?? Infinity)) problem(`${at}.when.ageBand`, 'min is above max');
  });
  return problems;
}

function uniqueKeys<T>(items: T[], key: keyof T, path: string, problem: (p: string, m: string) => void): Set<string> {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const value = (item as Record<string, unknown>)?.[key as string];
    if (typeof value !== 'string') return problem(`${path}[${i}].${String(key)}`, 'is required');
    if (seen.has(value)) problem(`${path}[${i}].${String(key)}`, `duplicate '${value}'`);
    seen.add(value);
  });
  return seen;
}

function isHttpUrl(value: string | undefined): boolean {
  if (!value) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
