import type { Directory } from './ports.js';
import type { NetworkDefinition } from './routing/network.js';
import { compileNetwork } from './routing/resolve.js';

/** The routing tables held in memory: unit tests, and the benchmark's ingest without I/O. */
export function inMemoryDirectory(networks: NetworkDefinition[]): Directory {
  const compiled = networks.map((n) => compileNetwork(n));
  return {
    networkOfPractice: async (ods) => compiled.find((n) => n.practices.has(ods)),
    networkOfOrganisation: async (ods) => compiled.find((n) => n.organisations.has(ods)),
    listNetworks: async () => networks,
    listAvailability: async () => compiled.flatMap((n) => [...n.availability.values()]),
    setAvailability: async (availability) => {
      compiled
        .find((n) => n.definition.id === availability.networkId)
        ?.availability.set(availability.serviceId, availability);
    },
  };
}
