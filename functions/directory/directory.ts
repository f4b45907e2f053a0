import type { CapabilityStatement, CapabilityStatementRestResource, FhirResource } from 'fhir/r4';
import type { LoadedNetworks } from '../../core/api/responses.js';
import { issue, NotFoundError } from '../../core/errors.js';
import type { Hub } from '../../core/hub.js';
import {
  DIRECTORY_SEARCH_PARAMS,
  type FhirDirectory,
  fhirDirectory,
  searchDirectory,
  searchset,
} from '../../core/routing/directory-fhir.js';
import { serviceAvailability, setServiceAvailability } from '../../core/services/availability.js';
import { diffProposedNetwork, explainRoute, loadedNetworks } from '../../core/services/routing.js';
import { TASK_SEARCH } from '../../core/services/tasks.js';
import { hubConformance } from '../../core/validation/conformance.js';
import { type HubRequest, type HubResponse, httpHandler, jsonObjectBody } from '../lib/http.js';

/** Care-home Tasks as the hub serves them: read and search, with the parameters GET /Task understands. */
const TASK_CAPABILITY: CapabilityStatementRestResource = {
  type: 'Task',
  interaction: [{ code: 'read' }, { code: 'search-type' }],
  searchParam: TASK_SEARCH.map(({ name, type, documentation }) => ({ name, type, documentation })),
};

/** The CapabilityStatement, its search parameters taken from what the directory and GET /Task actually search. */
function capabilityStatement(baseUrl: string): CapabilityStatement {
  const statement = hubConformance.capabilityStatement;
  return {
    ...statement,
    implementation: { description: 'PCN Referral Hub', url: baseUrl },
    rest: (statement.rest ?? []).map((rest) => ({
      ...rest,
      resource: [
        ...(rest.resource ?? [])
          .filter((resource) => resource.type !== 'Task')
          .map((resource) => {
            const params = DIRECTORY_SEARCH_PARAMS[resource.type as keyof FhirDirectory];
            if (!params) return resource;
            return { ...resource, searchParam: Object.entries(params).map(([name, type]) => ({ name, type })) };
          }),
        TASK_CAPABILITY,
      ],
    })),
  };
}

/** GET /metadata and the FHIR directory (Organization, HealthcareService, Endpoint): read and search. */
export function createDirectoryHandler(hub: Hub) {
  const directoryOf = async (type: keyof FhirDirectory): Promise<FhirResource[]> =>
    fhirDirectory(await hub.directory.listNetworks(), await hub.directory.listAvailability(), hub.clock.now())[type];
  const search =
    (type: keyof FhirDirectory) =>
    async (request: HubRequest): Promise<HubResponse> => ({
      status: 200,
      body: searchset(
        `${hub.self.baseUrl}/${type}`,
        searchDirectory(await directoryOf(type), request.query),
        request.query,
      ),
    });
  const read =
    (type: keyof FhirDirectory) =>
    async (request: HubRequest): Promise<HubResponse> => {
      const found = (await directoryOf(type)).find((r) => r.id === request.path.id);
      if (!found)
        throw new NotFoundError('Not found', [
          issue('not-found', `${type}/${request.path.id} is not in the directory`),
        ]);
      return { status: 200, body: found };
    };
  return httpHandler(
    'directory',
    {
      'GET /metadata': async () => ({ status: 200, body: capabilityStatement(hub.self.baseUrl) }),
      'GET /MessageDefinition': async () => ({
        status: 200,
        body: {
          resourceType: 'Bundle',
          type: 'searchset',
          total: hubConformance.barsMessageDefinitions.length,
          entry: hubConformance.barsMessageDefinitions.map((resource) => ({
            fullUrl: resource.url,
            resource,
            search: { mode: 'match' },
          })),
        },
      }),
      'GET /Organization': search('Organization'),
      'GET /Organization/{id}': read('Organization'),
      'GET /HealthcareService': search('HealthcareService'),
      'GET /HealthcareService/{id}': read('HealthcareService'),
      'GET /Endpoint': search('Endpoint'),
      'GET /Endpoint/{id}': read('Endpoint'),
      'GET /routing/$explain': async (request) => ({
        status: 200,
        contentType: 'application/json',
        body: await explainRoute(hub, request.caller, request.query),
      }),
      'GET /routing/networks': async (request) => ({
        status: 200,
        contentType: 'application/json',
        body: { networks: await loadedNetworks(hub, request.caller) } satisfies LoadedNetworks,
      }),
      'POST /routing/$diff': async (request) => ({
        status: 200,
        contentType: 'application/json',
        body: await diffProposedNetwork(
          hub,
          request.caller,
          jsonObjectBody(request.rawBody, 'network definition (a network file)'),
        ),
      }),
      'GET /HealthcareService/{id}/$availability': async (request) => ({
        status: 200,
        contentType: 'application/json',
        body: await serviceAvailability(hub, request.caller, request.path.id!),
      }),
      'POST /HealthcareService/{id}/$availability': async (request) => ({
        status: 200,
        contentType: 'application/json',
        body: await setServiceAvailability(
          hub,
          request.caller,
          request.path.id!,
          jsonObjectBody(
            request.rawBody,
            '{"acceptingReferrals": true|false, "returnDate"?: "YYYY-MM-DD", "weeklyCapacity"?: n, "emails"?: {"to", "urgent", "digest"} | null}',
          ),
        ),
      }),
    },
    hub,
  );
}
