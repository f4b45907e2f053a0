import { useCallback, useEffect, useState } from 'react';
import type {
  Alert,
  AlertPage,
  BulkReplayResults,
  MessageList,
  MessageRecord,
  OutcomeRow,
  Session,
  TrafficOverview,
} from '../../core/api/responses';
import type { QueryOf } from '../../core/api/routes';
import { SYSTEMS } from '../../core/fhir/systems';
import { ApiError, api, apiPath } from './api';
import { rangeQuery } from './ranges';

export interface Loaded<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload: () => void;
}

/**
 * GET a path of the API (or POST it `body`, for a search that must not travel in a URL), again whenever the path or
 * body changes or `reload` is called. A reload keeps showing what was there until the new answer comes; another
 * question never shows the previous one's answer (a search's results are never the list from before the search).
 */
export function useApi<T>(path: string | undefined, body?: Record<string, unknown>): Loaded<T> {
  const question = path && `${path}\n${body ? JSON.stringify(body) : ''}`;
  const [state, setState] = useState<{ question?: string; data?: T; error?: ApiError; loading: boolean }>({
    loading: !!path,
  });
  const [generation, setGeneration] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is the reload trigger; `question` holds path and body
  useEffect(() => {
    if (!path) return;
    let current = true;
    setState((s) => (s.question === question ? { ...s, loading: true } : { question, loading: true }));
    const init = body
      ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {};
    api<T>(path, init)
      .then((data) => current && setState({ question, data, loading: false }))
      .catch((error: unknown) => {
        const failure = error instanceof ApiError ? error : new ApiError(0, 'The hub could not be reached');
        if (current) setState({ question, error: failure, loading: false });
      });
    return () => {
      current = false;
    };
  }, [question, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const { question: _answered, ...loaded } = state.question === question ? state : { loading: !!path };
  return { ...loaded, reload };
}

export const useSession = () => useApi<Session>(apiPath('GET /auth/session', {}));
/**
 * Messages by status, a case's by its correlation id, (ops) a patient's by NHS number, or (ops) those matching a
 * search by sender, receiver, service, status and dates; a page at a time.
 */
export const useMessages = (
  filter: Partial<Record<QueryOf<'GET /messages'>, string>> & { patient?: string },
  cursor?: string,
) => {
  const { patient, ...rest } = filter;
  // A patient's messages are searched with the NHS number in the body: never in a URL the hub or a proxy logs.
  const byPatient = useApi<MessageList>(patient ? apiPath('POST /messages/$search', {}) : undefined, {
    patient,
    ...(cursor ? { cursor } : {}),
  });
  const listed = useApi<MessageList>(
    patient
      ? undefined
      : apiPath('GET /messages', {
          ...(rest.case ? { case: rest.case } : rest),
          ...(cursor ? { cursor } : {}),
        }),
  );
  return patient ? byPatient : listed;
};
/** Every message of a case (a referral, its answers, updates and notices) the caller is party to, oldest first. */
export const useCase = (correlationId: string | undefined) =>
  useApi<MessageList>(correlationId ? apiPath('GET /messages', { case: correlationId }) : undefined);
export const useMessage = (id: string) => useApi<MessageRecord>(apiPath('GET /messages/{id}', { id }));

/** A service of the network's directory, as the pages choose among them. */
export interface DirectoryService {
  id: string;
  name: string;
  /** The network it belongs to: a message goes only to services of its sender's network. */
  network?: string;
  /** False while the service is paused (it takes no new work). */
  active: boolean;
}

interface HealthcareServiceResource {
  id: string;
  name: string;
  active?: boolean;
  extension?: { url: string; valueString?: string }[];
}

/** Every service the directory lists, by name (none fetched while `wanted` is false). */
export function useServices(wanted = true): DirectoryService[] {
  const { data } = useApi<{ entry?: { resource: HealthcareServiceResource }[] }>(
    wanted ? apiPath('GET /HealthcareService', { _count: 100 }) : undefined,
  );
  return (data?.entry ?? [])
    .map(({ resource }) => ({
      id: resource.id,
      name: resource.name,
      active: resource.active !== false,
      ...(networkOf(resource) ? { network: networkOf(resource)! } : {}),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The network a directory service belongs to (the hub's extension on HealthcareService). */
export const networkOf = (service: Pick<HealthcareServiceResource, 'extension'>) =>
  service.extension?.find((e) => e.url === SYSTEMS.hubNetworkExtension)?.valueString;

/** The services a message of `network` may be sent to instead of `current` (its sender's network's, none other). */
export const alternativesFor = (
  services: readonly DirectoryService[],
  network: string | undefined,
  current?: string,
) => (network ? services.filter((s) => s.network === network && s.id !== current) : []);

/** Every organisation's name by its ODS code, from the directory (pages name organisations, not codes). */
export function useOrganisationNames(): ReadonlyMap<string, string> {
  const { data } = useApi<{ entry?: { resource: { id: string; name?: string } }[] }>(
    apiPath('GET /Organization', { _count: 1000 }),
  );
  return new Map((data?.entry ?? []).flatMap(({ resource }) => (resource.name ? [[resource.id, resource.name]] : [])));
}

/** Ops' overview of the last `hours`. */
export const useOverview = (hours: number) => useApi<TrafficOverview>(apiPath('GET /ops/overview', rangeQuery(hours)));
export const useOutcomes = (hours: number) =>
  useApi<{ outcomes: OutcomeRow[] }>(apiPath('GET /ops/outcomes', rangeQuery(hours)));
/** A page of the hub's alerts (open first), and how many are open in all. */
export const useAlerts = (cursor?: string) => useApi<AlertPage>(apiPath('GET /ops/alerts', { cursor }));
/** Takes an open alert in hand, with what is being done about it. */
export const acknowledgeAlert = (alert: string, note: string) =>
  postJson<Alert>(apiPath('POST /ops/alerts/$acknowledge', {}), { alert, note });

const postJson = <T>(path: string, body: unknown) =>
  api<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Ops' corrections of one message: replay a failed one (to its service or another), re-send, withdraw. */
export const replay = (id: string, service?: string) =>
  postJson<MessageRecord>(apiPath('POST /messages/{id}/$replay', { id }), service ? { service } : {});
export const resend = (id: string, reason: string) =>
  postJson<MessageRecord>(apiPath('POST /messages/{id}/$resend', { id }), { reason });
export const withdraw = (id: string, reason: string) =>
  postJson<MessageRecord>(apiPath('POST /messages/{id}/$withdraw', { id }), { reason });
/** The patient a message is about (ops; the hub records each showing). */
export const patientOf = (id: string) => api<Record<string, unknown>>(apiPath('GET /messages/{id}/$patient', { id }));

/** Replays many failed messages: a selection, or every one that failed for a service since a time. */
export const replayMany = (
  selection: { messages: string[] } | { failedTo: string; since?: string },
  service?: string,
) =>
  postJson<BulkReplayResults>(apiPath('POST /messages/$replay', {}), { ...selection, ...(service ? { service } : {}) });

export function signOut(): Promise<{ signOutAt?: string }> {
  return api(apiPath('POST /auth/logout', {}), { method: 'POST' });
}
