import type { FhirResource } from 'fhir/r4';
import { BadRequestError, issue, NotFoundError } from '../../core/errors.js';
import {
  DIRECTORY_SEARCH_PARAMS,
  type FhirDirectory,
  fhirDirectory,
  searchDirectory,
  searchset,
} from '../../core/routing/directory-fhir.js';
import { hubConformance } from '../../core/validation/conformance.js';
import { type HubRequest, type HubResponse, httpHandler } from '../lib/http.js';
import { hubFromEnvironment } from '../lib/hub.js';
import { withObservability } from '../lib/lambda.js';
import { hubLog } from '../lib/observability.js';

const { deps, opsOrganisations } = hubFromEnvironment();

async function directoryOf(type: keyof FhirDirectory): Promise<FhirResource[]> {
  return fhirDirectory(await deps.directory.listNetworks())[type];
}

function search(type: keyof FhirDirectory) {
  return async (request: HubRequest): Promise<HubResponse> => {
    const unknown = Object.keys(request.query).filter((p) => !DIRECTORY_SEARCH_PARAMS.includes(p));
    if (unknown.length > 0)
      throw new BadRequestError(
        'Unknown search parameter',
        unknown.map((p) =>
          issue(
            'not-supported',
            `Search parameter '${p}' is not supported; use ${DIRECTORY_SEARCH_PARAMS.join(', ')}`,
            p,
          ),
        ),
      );
    return { status: 200, body: searchset(deps.hub.baseUrl, searchDirectory(await directoryOf(type), request.query)) };
  };
}

function read(type: keyof FhirDirectory) {
  return async (request: HubRequest): Promise<HubResponse> => {
    const found = (await directoryOf(type)).find((r) => r.id === request.path.id);
    if (!found)
      throw new NotFoundError('Not found', [issue('not-found', `${type}/${request.path.id} is not in the directory`)]);
    return { status: 200, body: found };
  };
}

export const handler = withObservability(
  httpHandler(
    {
      'GET /metadata': async () => ({
        status: 200,
        body: {
          ...hubConformance.capabilityStatement,
          implementation: { description: 'PCN Referral Hub', url: deps.hub.baseUrl },
        },
      }),
      'GET /Organization': search('Organization'),
      'GET /Organization/{id}': read('Organization'),
      'GET /HealthcareService': search('HealthcareService'),
      'GET /HealthcareService/{id}': read('HealthcareService'),
      'GET /Endpoint': search('Endpoint'),
      'GET /Endpoint/{id}': read('Endpoint'),
    },
    { opsOrganisations, log: hubLog },
  ),
);
