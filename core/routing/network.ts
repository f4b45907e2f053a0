import { Ajv, type ErrorObject } from 'ajv';
import { uniqueBy } from '../unique.js';
import definitionSchema from './network-definition.schema.json' with { type: 'json' };

/**
 * A network definition: one readable JSON file per PCN (networks/*.json), the source of the routing tables.
 * checkNetworkDefinition() refuses an invalid file with every problem and its JSON path before anything goes live.
 */

export type DeliveryChannel = 'fhir-push' | 'mailbox';
export type PartnerKind =
  | 'gp-practice'
  | 'pcn'
  | 'community-services'
  | 'mental-health'
  | 'social-care'
  | 'community-pharmacy'
  | 'hospital'
  | 'voluntary-sector'
  | 'care-home';
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
  /** The service of the PCN's clinical lead for care homes: told when a care-home task is overdue. */
  careHomeClinicalLead?: string;
  routes: RouteDefinition[];
}

export interface PracticeDefinition {
  odsCode: string;
  name: string;
  postcode?: string;
  endpoint?: string;
}
export interface OrganisationDefinition {
  odsCode: string;
  name: string;
  kind: PartnerKind;
}
export interface EndpointDefinition {
  id: string;
  organisation: string;
  channel: DeliveryChannel;
  /** FHIR base URL for fhir-push (the hub POSTs to [address]/$process-message). */
  address?: string;
  /**
   * 'hub-token': the receiver wants the hub's own credentials: each push carries a bearer token the hub signs for
   * this endpoint (aud: the address), which the receiver checks against the hub's JWKS.
   */
  authentication?: 'hub-token';
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
  /** The BaRS use cases (usecases-categories-bars codes, e.g. a5t1) the service takes, when BaRS senders use it. */
  barsUseCases?: string[];
  /** Paused (e.g. at capacity): referrals divert to the fallback service. */
  paused?: boolean;
  fallback?: string;
}
export interface CareHomeDefinition {
  odsCode: string;
  name: string;
  alignedPractice: string;
  careHomeTeam: string;
  postcode?: string;
}
export interface RouteDefinition {
  id: string;
  category: string;
  service: string;
  /** Higher wins among matching rules. */
  priority?: number;
  /** Considered only when no other rule for the category matches. */
  fallback?: boolean;
  /** How long the receiver has to answer a routine referral before its sender is told (RESPONSE_HOURS by default). */
  respondWithinHours?: number;
  /** The same for urgent, asap and stat referrals. */
  urgentRespondWithinHours?: number;
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

export interface DefinitionProblem {
  path: string;
  message: string;
}

const schemaValidator = new Ajv({ allErrors: true, verbose: true });
schemaValidator.addKeyword({ keyword: 'x-message', schemaType: 'string' });
/** The JSON Schema of the file format (core/routing/network-definition.schema.json): structure, patterns, enums. */
const validateStructure = schemaValidator.compile(definitionSchema);

/**
 * Checks a definition against the JSON Schema, then its cross-references (a service's endpoint exists, a route's
 * service offers its category, a paused service has a fallback...): every problem, each with its JSON path.
 * `categories` is the set of known service category codes (from the hub's CodeSystem).
 */
export function checkNetworkDefinition(input: unknown, vocabulary: NetworkVocabulary): DefinitionProblem[] {
  if (!input || typeof input !== 'object' || Array.isArray(input))
    return [{ path: '$', message: 'a network definition must be a JSON object' }];
  const problems = validateStructure(input) ? [] : schemaProblems(validateStructure.errors ?? []);
  return bounded([...problems, ...crossReferenceProblems(input as Partial<NetworkDefinition>, vocabulary)]);
}

/** Most problems one check reports, and the longest text of each: an answer never grows with the file it checks. */
const MAX_PROBLEMS = 100;
const MAX_PROBLEM_CHARS = 300;

function bounded(problems: DefinitionProblem[]): DefinitionProblem[] {
  const cut = (text: string) => (text.length > MAX_PROBLEM_CHARS ? `${text.slice(0, MAX_PROBLEM_CHARS)}…` : text);
  const kept = problems.slice(0, MAX_PROBLEMS).map((p) => ({ path: cut(p.path), message: cut(p.message) }));
  if (problems.length > MAX_PROBLEMS)
    kept.push({ path: '$', message: `and ${problems.length - MAX_PROBLEMS} more problems` });
  return kept;
}

function schemaProblems(errors: ErrorObject[]): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  for (const error of errors) {
    if (error.keyword === 'if') continue; // its branch reports the real problem
    const path = `$${error.instancePath
      .split('/')
      .slice(1)
      .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
      .join('')}`;
    const custom = (error.parentSchema as { 'x-message'?: string } | undefined)?.['x-message'];
    if (error.keyword === 'additionalProperties')
      problems.push({
        path: `${path}.${(error.params as { additionalProperty: string }).additionalProperty}`,
        message: 'unknown property',
      });
    else if (error.keyword === 'required')
      problems.push({
        path: `${path}.${(error.params as { missingProperty: string }).missingProperty}`,
        message: error.schemaPath.endsWith('/then/required')
          ? 'a fhir-push endpoint needs an http(s) FHIR base URL'
          : 'is required',
      });
    else if (error.keyword === 'enum')
      problems.push({
        path,
        message: `must be one of ${(error.params as { allowedValues: string[] }).allowedValues.join(', ')}`,
      });
    else if (custom && error.keyword === 'pattern' && path.includes('postcodeDistricts'))
      problems.push({ path, message: `'${String(error.data)}' ${custom}` });
    else problems.push({ path, message: custom ?? error.message ?? 'is not valid' });
  }
  return dedupe(problems);
}

const list = <T>(value: T[] | undefined): T[] =>
  Array.isArray(value) ? value.filter((v) => v && typeof v === 'object') : [];

/** The codes a definition may use: the hub's service categories, and the BaRS use cases mapped to them. */
export interface NetworkVocabulary {
  codes: ReadonlySet<string>;
  /** BaRS use case -> the hub category it asks for. */
  byBarsUseCase: ReadonlyMap<string, string>;
}

/** What the schema cannot say: references between the parts of a definition, and codes from the CodeSystem. */
function crossReferenceProblems(def: Partial<NetworkDefinition>, vocabulary: NetworkVocabulary): DefinitionProblem[] {
  const categories = vocabulary.codes;
  const problems: DefinitionProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  const practiceCodes = uniqueKeys(list(def.practices), 'odsCode', '$.practices', problem);
  const orgCodes = uniqueKeys(list(def.organisations), 'odsCode', '$.organisations', problem);
  const endpointIds = uniqueKeys(list(def.endpoints), 'id', '$.endpoints', problem);
  const serviceIds = uniqueKeys(list(def.services), 'id', '$.services', problem);
  const careHomeCodes = uniqueKeys(list(def.careHomes), 'odsCode', '$.careHomes', problem);
  uniqueKeys(list(def.routes), 'id', '$.routes', problem);
  const allOrgs = new Set([...practiceCodes, ...orgCodes]);

  list(def.practices).forEach((p, i) => {
    if (p.endpoint !== undefined && !endpointIds.has(p.endpoint))
      problem(`$.practices[${i}].endpoint`, `names unknown endpoint '${p.endpoint}'`);
  });
  list(def.endpoints).forEach((e, i) => {
    if (!allOrgs.has(e.organisation))
      problem(`$.endpoints[${i}].organisation`, `names unknown organisation '${e.organisation}'`);
  });
  list(def.services).forEach((s, i) => {
    const at = `$.services[${i}]`;
    if (Array.isArray(s.categories))
      s.categories.forEach((c, j) => {
        if (!categories.has(c))
          problem(`${at}.categories[${j}]`, `'${c}' is not a code of the pcn-service-category CodeSystem`);
      });
    if (Array.isArray(s.barsUseCases))
      s.barsUseCases.forEach((useCase, j) => {
        const category = vocabulary.byBarsUseCase.get(useCase);
        if (!category)
          problem(`${at}.barsUseCases[${j}]`, `'${useCase}' is not a BaRS use case the hub maps to a service category`);
        else if (Array.isArray(s.categories) && !s.categories.includes(category))
          problem(
            `${at}.barsUseCases[${j}]`,
            `'${useCase}' asks for '${category}', which the service does not provide`,
          );
      });
    if (!allOrgs.has(s.provider)) problem(`${at}.provider`, `names unknown organisation '${s.provider}'`);
    if (!endpointIds.has(s.endpoint)) problem(`${at}.endpoint`, `names unknown endpoint '${s.endpoint}'`);
    if (s.fallback !== undefined && !serviceIds.has(s.fallback))
      problem(`${at}.fallback`, `names unknown service '${s.fallback}'`);
    if (s.fallback !== undefined && s.fallback === s.id)
      problem(`${at}.fallback`, 'a service cannot be its own fallback');
    if (s.paused && s.fallback === undefined) problem(`${at}.paused`, 'a paused service needs a fallback to divert to');
  });
  if (def.careHomeClinicalLead !== undefined && !serviceIds.has(def.careHomeClinicalLead))
    problem('$.careHomeClinicalLead', `names unknown service '${def.careHomeClinicalLead}'`);
  list(def.careHomes).forEach((h, i) => {
    if (!practiceCodes.has(h.alignedPractice))
      problem(`$.careHomes[${i}].alignedPractice`, `names '${h.alignedPractice}', not a practice of this network`);
    if (!serviceIds.has(h.careHomeTeam))
      problem(`$.careHomes[${i}].careHomeTeam`, `names unknown service '${h.careHomeTeam}'`);
  });
  list(def.routes).forEach((r, i) => {
    const at = `$.routes[${i}]`;
    if (!categories.has(r.category))
      problem(`${at}.category`, `'${r.category}' is not a code of the pcn-service-category CodeSystem`);
    const service = list(def.services).find((s) => s.id === r.service);
    if (!service) problem(`${at}.service`, `names unknown service '${r.service}'`);
    else if (Array.isArray(service.categories) && !service.categories.includes(r.category))
      problem(`${at}.service`, `service '${r.service}' does not offer '${r.category}'`);
    for (const key of ['effectiveFrom', 'effectiveTo'] as const) {
      if (typeof r[key] === 'string' && Number.isNaN(Date.parse(r[key]!)))
        problem(`${at}.${key}`, 'is not a real date');
    }
    if (r.effectiveFrom && r.effectiveTo && r.effectiveFrom > r.effectiveTo)
      problem(`${at}.effectiveTo`, 'is before effectiveFrom');
    const w = r.when ?? {};
    if (Array.isArray(w.senderPractices))
      w.senderPractices.forEach((c, j) => {
        if (!practiceCodes.has(c))
          problem(`${at}.when.senderPractices[${j}]`, `'${c}' is not a practice of this network`);
      });
    if (Array.isArray(w.careHomes))
      w.careHomes.forEach((c, j) => {
        if (!careHomeCodes.has(c)) problem(`${at}.when.careHomes[${j}]`, `'${c}' is not a care home of this network`);
      });
    if (w.ageBand && (w.ageBand.min ?? 0) > (w.ageBand.max ?? Infinity))
      problem(`${at}.when.ageBand`, 'min is above max');
  });
  return problems;
}

function uniqueKeys<T extends object>(
  items: T[],
  key: keyof T,
  path: string,
  problem: (p: string, m: string) => void,
): Set<string> {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const value = item[key];
    if (typeof value !== 'string') return;
    if (seen.has(value)) problem(`${path}[${i}].${String(key)}`, `duplicate '${value}'`);
    seen.add(value);
  });
  return seen;
}

const dedupe = (problems: DefinitionProblem[]) => uniqueBy(problems, (p) => `${p.path}|${p.message}`);

/**
 * Checks across networks what one file cannot: a care home is aligned to one PCN only (Enhanced Health in Care
 * Homes), and a network id is defined once.
 */
export function crossNetworkProblems(
  definitions: NetworkDefinition[],
): { networkId: string; problem: DefinitionProblem }[] {
  const problems: { networkId: string; problem: DefinitionProblem }[] = [];
  const networkOf = new Map<string, string>();
  const homeOf = new Map<string, string>();
  for (const d of definitions) {
    if (networkOf.has(d.id))
      problems.push({ networkId: d.id, problem: { path: '$.id', message: `network id '${d.id}' is defined twice` } });
    networkOf.set(d.id, d.id);
    (d.careHomes ?? []).forEach((home, i) => {
      const other = homeOf.get(home.odsCode);
      if (other && other !== d.id) {
        problems.push({
          networkId: d.id,
          problem: {
            path: `$.careHomes[${i}].odsCode`,
            message: `care home ${home.odsCode} is already aligned to ${other}: a care home is aligned to one PCN`,
          },
        });
      }
      homeOf.set(home.odsCode, d.id);
    });
  }
  return problems;
}
