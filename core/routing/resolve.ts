import { issue, NotSupportedError, UnknownTargetError, UnprocessableError } from '../errors.js';
import { notAcceptingReason, type ServiceAvailability } from './availability.js';
import type {
  CareHomeDefinition,
  EndpointDefinition,
  NetworkDefinition,
  OrganisationDefinition,
  PracticeDefinition,
  RouteDefinition,
  ServiceDefinition,
  Urgency,
} from './network.js';

/** What routing looks at, drawn from the message (see routing-context.ts). */
export interface RoutingContext {
  senderPractice: string;
  category: string;
  /** The BaRS use case the request names (usecases-categories-bars), when it names one. */
  useCase?: string;
  registeredPractice?: string;
  /** ODS site code of the care home the patient lives in, when the message names one. */
  careHome?: string;
  postcodeDistrict?: string;
  ageYears?: number;
  urgency?: Urgency;
  /** NHSD-Target-Identifier or MessageHeader.destination.endpoint: a service the sender asks for by id. */
  explicitTarget?: { system: string; value: string };
  /** Decision time (effective dates are compared with its date in UTC). */
  at: Date;
  /** Services already at their weekly capacity (counted by the caller, which holds the message store). */
  fullServices?: ReadonlySet<string>;
}

export interface RouteDecision {
  networkId: string;
  networkName: string;
  service: ServiceDefinition;
  provider: OrganisationDefinition | PracticeDefinition;
  endpoint: EndpointDefinition;
  /** The rule that chose the service ('explicit-target' or 'care-home:<ods>' for the implicit ones). */
  ruleId: string;
  /** Set when the chosen service was paused or unavailable and the referral went to its fallback. */
  divertedFrom?: string;
  /** Why it was diverted, in words the practice reads. */
  divertedBecause?: string;
  /** Why: each rule considered, in order, and what happened to it. */
  explanation: string[];
}

/** A network compiled for resolution: indexes built once per load, then every lookup is in memory. */
export interface CompiledNetwork {
  definition: NetworkDefinition;
  practices: Map<string, PracticeDefinition>;
  organisations: Map<string, OrganisationDefinition | PracticeDefinition>;
  services: Map<string, ServiceDefinition>;
  servicesByDosId: Map<string, ServiceDefinition>;
  /** The BaRS use cases the network's services take, each once, in the order the file lists them. */
  useCases: string[];
  endpoints: Map<string, EndpointDefinition>;
  careHomes: Map<string, CareHomeDefinition>;
  /** category -> rules, highest priority first, fallbacks last */
  routesByCategory: Map<string, RouteDefinition[]>;
  /** The receiving teams' say over their intake, by service id. */
  availability: Map<string, ServiceAvailability>;
}

export function compileNetwork(
  definition: NetworkDefinition,
  availability: readonly ServiceAvailability[] = [],
): CompiledNetwork {
  const routesByCategory = new Map<string, RouteDefinition[]>();
  for (const route of definition.routes) {
    const list = routesByCategory.get(route.category) ?? [];
    list.push(route);
    routesByCategory.set(route.category, list);
  }
  for (const list of routesByCategory.values()) {
    list.sort(
      (a, b) => Number(a.fallback ?? false) - Number(b.fallback ?? false) || (b.priority ?? 0) - (a.priority ?? 0),
    );
  }
  return {
    definition,
    practices: new Map(definition.practices.map((p) => [p.odsCode, p])),
    organisations: new Map<string, OrganisationDefinition | PracticeDefinition>([
      ...definition.practices.map((p) => [p.odsCode, p] as const),
      ...definition.organisations.map((o) => [o.odsCode, o] as const),
    ]),
    services: new Map(definition.services.map((s) => [s.id, s])),
    servicesByDosId: new Map(definition.services.filter((s) => s.dosServiceId).map((s) => [s.dosServiceId!, s])),
    useCases: [...new Set(definition.services.flatMap((s) => s.barsUseCases ?? []))],
    endpoints: new Map(definition.endpoints.map((e) => [e.id, e])),
    careHomes: new Map((definition.careHomes ?? []).map((h) => [h.odsCode, h])),
    routesByCategory,
    availability: new Map(availability.map((a) => [a.serviceId, a])),
  };
}

/** The rule id of a referral that named its service (BaRS target) rather than being routed by the rules. */
export const EXPLICIT_TARGET_RULE = 'explicit-target';

/**
 * Chooses the receiving service, or says exactly why none can be chosen. In BaRS's order: a target the sender names
 * (a service of its network, else 404), else the network's rules for the category asked for. Pure: no I/O.
 */
export function resolveRoute(network: CompiledNetwork, context: RoutingContext): RouteDecision {
  const explanation: string[] = [];
  const chosen = context.explicitTarget
    ? explicitService(network, context, explanation)
    : ruleService(network, context, explanation);
  const takes = chosen.service.barsUseCases;
  if (context.useCase && takes && !takes.includes(context.useCase)) {
    throw new NotSupportedError('Use case not supported', [
      issue(
        'not-supported',
        `Service '${chosen.service.name}' does not take BaRS use case ${context.useCase}; it takes ${takes.join(', ')}`,
        'ServiceRequest.category',
      ),
    ]);
  }
  return decide(network, chosen.service, chosen.ruleId, explanation, context);
}

function explicitService(network: CompiledNetwork, context: RoutingContext, explanation: string[]) {
  const target = context.explicitTarget!;
  const service = network.servicesByDosId.get(target.value) ?? network.services.get(target.value);
  if (!service) {
    throw new UnknownTargetError('Unknown target', [
      issue(
        'not-found',
        `The target endpoint ${target.system}|${target.value} does not exist in the endpoint catalogue of ${network.definition.name}, the sender's network (GET /HealthcareService lists its services and their ids)`,
        'MessageHeader.destination',
      ),
    ]);
  }
  if (!service.categories.includes(context.category)) {
    throw new UnprocessableError('Target does not offer the category', [
      issue(
        'business-rule',
        `Target service '${service.name}' does not provide '${context.category}'`,
        'MessageHeader.destination',
      ),
    ]);
  }
  explanation.push(
    `explicit target ${target.value} names service '${service.id}', which ${network.definition.name} allows`,
  );
  return { service, ruleId: EXPLICIT_TARGET_RULE };
}

function ruleService(network: CompiledNetwork, context: RoutingContext, explanation: string[]) {
  const home = context.careHome ? network.careHomes.get(context.careHome) : undefined;
  const rules = network.routesByCategory.get(context.category) ?? [];
  const day = context.at.toISOString().slice(0, 10);
  for (const rule of rules) {
    const miss = mismatch(rule, context, day, home);
    if (miss) {
      explanation.push(`rule '${rule.id}' skipped: ${miss}`);
      continue;
    }
    if (home && !rule.when?.careHomes && rule.fallback) break; // a resident's home team comes before a catch-all
    explanation.push(`rule '${rule.id}' matched (priority ${rule.priority ?? 0}${rule.fallback ? ', fallback' : ''})`);
    return { service: network.services.get(rule.service)!, ruleId: rule.id };
  }
  const team = home ? network.services.get(home.careHomeTeam) : undefined;
  if (home && team?.categories.includes(context.category)) {
    explanation.push(`patient lives in care home ${home.odsCode} (${home.name}): its care-home team '${team.id}'`);
    return { service: team, ruleId: `care-home:${home.odsCode}` };
  }
  const matchingFallback = rules.find((r) => r.fallback && !mismatch(r, context, day, home));
  if (matchingFallback) {
    explanation.push(`fallback rule '${matchingFallback.id}' matched`);
    return { service: network.services.get(matchingFallback.service)!, ruleId: matchingFallback.id };
  }
  const why =
    rules.length === 0 ? 'the network has no route for it' : 'no routing rule matched this patient and sender';
  throw new UnprocessableError('No route', [
    issue(
      'business-rule',
      `Service category '${context.category}' is not available for practice ${context.senderPractice} in ${network.definition.name}: ${why}`,
      'ServiceRequest.category',
    ),
  ]);
}

/** Why a rule does not apply, or undefined when it does. */
function mismatch(
  rule: RouteDefinition,
  c: RoutingContext,
  day: string,
  home: CareHomeDefinition | undefined,
): string | undefined {
  if (rule.effectiveFrom && day < rule.effectiveFrom) return `not effective until ${rule.effectiveFrom}`;
  if (rule.effectiveTo && day > rule.effectiveTo) return `ended ${rule.effectiveTo}`;
  const w = rule.when;
  if (!w) return undefined;
  if (w.senderPractices && !w.senderPractices.includes(c.senderPractice))
    return `sender ${c.senderPractice} is not one of ${w.senderPractices.join(', ')}`;
  const registered = c.registeredPractice ?? c.senderPractice;
  if (w.registeredPractices && !w.registeredPractices.includes(registered))
    return `patient's practice ${registered} is not one of ${w.registeredPractices.join(', ')}`;
  if (w.careHomeResident !== undefined && w.careHomeResident !== (home !== undefined))
    return w.careHomeResident ? 'patient is not a resident of a known care home' : 'patient lives in a care home';
  if (w.careHomes && !(home && w.careHomes.includes(home.odsCode)))
    return `patient's care home is not one of ${w.careHomes.join(', ')}`;
  if (w.postcodeDistricts && !(c.postcodeDistrict && w.postcodeDistricts.includes(c.postcodeDistrict)))
    return `postcode district ${c.postcodeDistrict ?? 'unknown'} is not one of ${w.postcodeDistricts.join(', ')}`;
  if (w.ageBand) {
    if (c.ageYears === undefined) return 'patient age unknown';
    if (w.ageBand.min !== undefined && c.ageYears < w.ageBand.min) return `patient is under ${w.ageBand.min}`;
    if (w.ageBand.max !== undefined && c.ageYears > w.ageBand.max) return `patient is over ${w.ageBand.max}`;
  }
  if (w.urgency && !w.urgency.includes(c.urgency ?? 'routine'))
    return `urgency ${c.urgency ?? 'routine'} is not one of ${w.urgency.join(', ')}`;
  return undefined;
}

/** Why a service takes no new referral now: paused in the tables, closed by its team, or full this week. */
function unavailable(network: CompiledNetwork, service: ServiceDefinition, context: RoutingContext) {
  if (service.paused) return 'paused';
  const closed = notAcceptingReason(network.availability.get(service.id), context.at);
  if (closed) return closed;
  if (context.fullServices?.has(service.id)) return 'full this week';
  return undefined;
}

/** Applies pauses and availability (an unavailable service diverts to its fallback, following the chain). */
function decide(
  network: CompiledNetwork,
  first: ServiceDefinition,
  ruleId: string,
  explanation: string[],
  context: RoutingContext,
): RouteDecision {
  let service = first;
  let firstReason: string | undefined;
  const seen = new Set<string>();
  for (let reason = unavailable(network, service, context); reason; reason = unavailable(network, service, context)) {
    firstReason ??= reason;
    seen.add(service.id);
    const next = service.fallback ? network.services.get(service.fallback) : undefined;
    if (!next || seen.has(next.id)) {
      throw new UnprocessableError('Service unavailable', [
        issue(
          'business-rule',
          `Service '${first.name}' is ${firstReason} and has no available fallback`,
          'ServiceRequest.category',
        ),
      ]);
    }
    explanation.push(`service '${service.id}' is ${reason}: diverted to '${next.id}'`);
    service = next;
  }
  return {
    networkId: network.definition.id,
    networkName: network.definition.name,
    service,
    provider: network.organisations.get(service.provider)!,
    endpoint: network.endpoints.get(service.endpoint)!,
    ruleId,
    ...(service !== first ? { divertedFrom: first.id, divertedBecause: firstReason! } : {}),
    explanation,
  };
}
