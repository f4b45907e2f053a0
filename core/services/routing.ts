import { type Caller, requireOps } from '../auth.js';
import { HubError, issue, UnprocessableError } from '../errors.js';
import {
  checkNetworkDefinition,
  type DefinitionProblem,
  type NetworkDefinition,
  type Urgency,
} from '../routing/network.js';
import { describeNetworkChanges } from '../routing/network-diff.js';
import { resolveRoute } from '../routing/resolve.js';
import { postcodeDistrict } from '../routing/routing-context.js';
import type { HubDependencies } from './dependencies.js';

const URGENCIES: readonly Urgency[] = ['routine', 'urgent', 'asap', 'stat'];

export interface RouteExplanation {
  network?: string;
  /** Where a referral like this would go now (absent when it would be refused). */
  service?: { id: string; name: string; organisation: string; channel: string };
  divertedFrom?: string;
  divertedBecause?: string;
  /** Each rule considered, in order, and what happened to it. */
  explanation: string[];
  /** Why such a referral would be refused, when it would be. */
  refused?: string;
}

/**
 * Ops ask where a referral from a practice, for a service category (and a patient's postcode and urgency), would go
 * now and why: the live routing tables, with pauses and the receiving teams' availability, as ingest applies them.
 */
export async function explainRoute(
  deps: HubDependencies,
  caller: Caller,
  query: { practice?: string; category?: string; postcode?: string; urgency?: string },
): Promise<RouteExplanation> {
  requireOps(caller);
  const urgency = (query.urgency ?? 'routine') as Urgency;
  const problems = [
    ...(query.practice ? [] : [issue('required', 'practice (an ODS code) is required', 'practice')]),
    ...(query.category && deps.categories.codes.has(query.category)
      ? []
      : [issue('code-invalid', `category must be one of ${[...deps.categories.codes].join(', ')}`, 'category')]),
    ...(URGENCIES.includes(urgency)
      ? []
      : [issue('value', `urgency must be one of ${URGENCIES.join(', ')}`, 'urgency')]),
  ];
  if (problems.length) throw new UnprocessableError('Bad question', problems);
  const network = await deps.directory.networkOfPractice(query.practice!.toUpperCase());
  if (!network)
    throw new UnprocessableError('Unknown practice', [
      issue('not-found', `Practice ${query.practice} is not a member of any network the hub serves`, 'practice'),
    ]);
  const district = postcodeDistrict(query.postcode);
  const context = {
    senderPractice: query.practice!.toUpperCase(),
    category: query.category!,
    urgency,
    at: deps.clock.now(),
    ...(district ? { postcodeDistrict: district } : {}),
  };
  try {
    const decision = resolveRoute(network, context);
    return {
      network: network.definition.name,
      service: {
        id: decision.service.id,
        name: decision.service.name,
        organisation: decision.provider.name,
        channel: decision.endpoint.channel,
      },
      ...(decision.divertedFrom
        ? { divertedFrom: decision.divertedFrom, divertedBecause: decision.divertedBecause }
        : {}),
      explanation: decision.explanation,
    };
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    return {
      network: network.definition.name,
      explanation: [],
      refused: error.issues.map((i) => i.diagnostics).join('; '),
    };
  }
}

export interface ProposedNetworkDiff {
  networkId?: string;
  networkName?: string;
  /** added: a network not loaded yet; changed / unchanged against the live one; invalid: it could not be loaded. */
  change: 'added' | 'changed' | 'unchanged' | 'invalid';
  /** What would change, one line each ("+ service x added", "~ route y changed"). */
  details: string[];
  /** Why it could not be loaded, each with its place in the file. */
  problems: DefinitionProblem[];
}

/**
 * Ops check a proposed network file before it is loaded (by `npm run network -- load`): whether it is valid, and
 * what it would change against the live routing tables. Nothing is loaded.
 */
export async function diffProposedNetwork(
  deps: HubDependencies,
  caller: Caller,
  proposed: unknown,
): Promise<ProposedNetworkDiff> {
  requireOps(caller);
  const problems = checkNetworkDefinition(proposed, deps.categories);
  const definition = proposed as Partial<NetworkDefinition>;
  const named = {
    ...(typeof definition?.id === 'string' ? { networkId: definition.id } : {}),
    ...(typeof definition?.name === 'string' ? { networkName: definition.name } : {}),
  };
  if (problems.length) return { ...named, change: 'invalid', details: [], problems };
  const live = (await deps.directory.listNetworks()).find((n) => n.id === definition.id);
  if (!live) return { ...named, change: 'added', details: [], problems: [] };
  const details = describeNetworkChanges(live, proposed as NetworkDefinition);
  return { ...named, change: details.length ? 'changed' : 'unchanged', details, problems: [] };
}

/** The networks loaded now, as their files define them: practices, services and routes (ops). */
export async function loadedNetworks(deps: HubDependencies, caller: Caller): Promise<NetworkDefinition[]> {
  requireOps(caller);
  return (await deps.directory.listNetworks()).sort((a, b) => a.name.localeCompare(b.name));
}
