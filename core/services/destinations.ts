import type { Destination } from '../lifecycle/message-record.js';
import type { Directory } from '../ports.js';
import type { ServiceDefinition } from '../routing/network.js';
import type { CompiledNetwork } from '../routing/resolve.js';

/** Every Destination the hub records is built here: a routed or replayed service, or an answer's return address. */

/** A service of a network: its provider, and the endpoint that reaches it (push or mailbox). */
export function destinationOfService(network: CompiledNetwork, service: ServiceDefinition): Destination {
  const endpoint = network.endpoints.get(service.endpoint)!;
  const provider = network.organisations.get(service.provider);
  return {
    organisation: service.provider,
    serviceId: service.id,
    serviceName: service.name,
    ...(service.dosServiceId ? { dosServiceId: service.dosServiceId } : {}),
    endpointId: endpoint.id,
    channel: endpoint.channel,
    ...(provider ? { organisationName: provider.name } : {}),
    ...(endpoint.address ? { address: endpoint.address } : {}),
    ...(endpoint.authentication ? { authentication: endpoint.authentication } : {}),
  };
}

/**
 * Where answers for an organisation go: its own FHIR endpoint when the directory lists one (a practice's
 * `endpoint`, or an endpoint the organisation owns), else its mailbox. Never the routing rules.
 */
export async function returnAddress(directory: Directory, organisation: string): Promise<Destination> {
  const network = await directory.networkOfOrganisation(organisation);
  const org = network?.organisations.get(organisation);
  const practiceEndpoint = network?.practices.get(organisation)?.endpoint;
  const endpoint = practiceEndpoint
    ? network!.endpoints.get(practiceEndpoint)
    : [...(network?.endpoints.values() ?? [])].find((e) => e.organisation === organisation);
  const base: Destination = { organisation, channel: 'mailbox', ...(org ? { organisationName: org.name } : {}) };
  if (!endpoint) return base;
  return {
    ...base,
    endpointId: endpoint.id,
    channel: endpoint.channel,
    ...(endpoint.address ? { address: endpoint.address } : {}),
    ...(endpoint.authentication ? { authentication: endpoint.authentication } : {}),
  };
}
