import { useState } from 'react';
import type { LoadedNetworks, ReceiversHealth } from '../../../core/api/responses';
import { type ApiError, api, apiPath } from '../api';
import { networkOf as networkOfService, useApi } from '../hooks';
import { when } from '../words';
import { FilterSelect, Pager, usePages } from './Pager';
import { Problem } from './Problem';
import { Table } from './Table';

interface Service {
  id: string;
  name: string;
  active?: boolean;
  availabilityExceptions?: string;
  extension?: { url: string; valueString?: string }[];
}

const networkOf = (service: Service) => networkOfService(service) ?? '';

const PAUSED = 'Paused by the hub operations team';
/** Receiving services a page shows (a national deployment has thousands). */
const RECEIVERS_PAGE = 20;

type Health = ReceiversHealth['receivers'][number];
type SetPaused = (service: Pick<Service, 'id' | 'name'>, paused: boolean) => void;

const failureWords = (h: Health) =>
  h.lastFailure
    ? `${when(h.lastFailure.at)}: ${h.lastFailure.why}${h.consecutiveFailures > 1 ? ` (${h.consecutiveFailures} in a row)` : ''}`
    : '';
const waitingWords = (h: Health | undefined) =>
  h?.retrying ? `${h.waiting} (${h.retrying} being retried)` : String(h?.waiting ?? 0);

function PauseButton(props: { name: string; paused: boolean; onClick: () => void }) {
  return (
    <button
      type="button"
      className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
      onClick={props.onClick}
    >
      {props.paused ? 'Resume' : 'Pause'} <span className="nhsuk-u-visually-hidden">{props.name}</span>
    </button>
  );
}

/** The services in trouble, of every network, whatever page is shown: what ops look for first. */
function NeedsAttention({ inTrouble, set }: { inTrouble: Health[]; set: SetPaused }) {
  if (inTrouble.length === 0) return null;
  return (
    <section aria-labelledby="needs-attention">
      <h2 id="needs-attention">Needs attention</h2>
      <Table
        caption="Receiving services in trouble, of every network"
        headings={['Service', 'Last failure', 'Waiting', 'Action']}
        rows={inTrouble.map((h) => ({
          key: h.serviceId,
          cells: [
            <>
              <strong className="nhsuk-tag nhsuk-tag--red">In trouble</strong> {h.serviceName}
            </>,
            h.lastFailure ? `${when(h.lastFailure.at)}: ${h.lastFailure.why} (${h.consecutiveFailures} in a row)` : '',
            waitingWords(h),
            <PauseButton
              key="pause"
              name={h.serviceName}
              paused={false}
              onClick={() => set({ id: h.serviceId, name: h.serviceName }, true)}
            />,
          ],
        }))}
      />
    </section>
  );
}

/** One network's receiving services on this page: whether each takes work, its deliveries, and pause or resume. */
function NetworkServices(props: {
  id: string;
  name: string;
  services: Service[];
  healthOf: ReadonlyMap<string, Health>;
  set: SetPaused;
}) {
  return (
    <section aria-labelledby={`network-${props.id}`}>
      <h2 id={`network-${props.id}`}>{props.name}</h2>
      <Table
        caption={`${props.name}: its receiving services and whether they take work`}
        headings={['Service', 'State', 'Last delivered', 'Last failure', 'Waiting', 'Answers in', 'Action']}
        rows={props.services.map((service) => {
          const paused = service.availabilityExceptions?.startsWith(PAUSED) ?? false;
          const h = props.healthOf.get(service.id);
          return {
            key: service.id,
            cells: [
              <>
                {h?.inTrouble ? <strong className="nhsuk-tag nhsuk-tag--red">In trouble</strong> : null} {service.name}
              </>,
              service.availabilityExceptions ?? 'Taking work',
              h?.lastSuccess ? when(h.lastSuccess) : '',
              h ? failureWords(h) : '',
              waitingWords(h),
              h?.averageMinutesToFirstAnswer !== undefined ? `${h.averageMinutesToFirstAnswer} min` : '',
              <PauseButton
                key="action"
                name={service.name}
                paused={paused}
                onClick={() => props.set(service, !paused)}
              />,
            ],
          };
        })}
      />
    </section>
  );
}

/**
 * Every receiving service and whether it takes work; ops pause one in trouble (its deliveries wait instead of
 * spending retries, its new referrals go to its fallback) and resume it (what waited is sent at once).
 */
export function ReceiversPage() {
  const pages = usePages();
  const { data, error, reload } = useApi<{
    entry?: { resource: Service }[];
    link?: { relation: string; url: string }[];
  }>(apiPath('GET /HealthcareService', { _count: RECEIVERS_PAGE, cursor: pages.cursor }));
  const nextUrl = data?.link?.find((l) => l.relation === 'next')?.url;
  const next = nextUrl ? (new URL(nextUrl, window.location.origin).searchParams.get('cursor') ?? undefined) : undefined;
  const { data: loaded } = useApi<LoadedNetworks>(apiPath('GET /routing/networks', {}));
  const networkName = new Map((loaded?.networks ?? []).map((n) => [n.id, n.name]));
  const nameOf = (network: string) => networkName.get(network) ?? network;
  const [shown, setShown] = useState('');
  const { data: health } = useApi<ReceiversHealth>(apiPath('GET /receivers/$health', {}));
  const healthOf = new Map((health?.receivers ?? []).map((h) => [h.serviceId, h]));
  const [failure, setFailure] = useState<ApiError | undefined>();
  // Those in trouble first, in each network and among the networks: they are what ops look for.
  const trouble = (service: Service) => Number(healthOf.get(service.id)?.inTrouble ?? false);
  const services = (data?.entry ?? []).map((e) => e.resource).sort((a, b) => trouble(b) - trouble(a));
  const networks = [...new Set(services.map(networkOf))].sort(
    (a, b) =>
      Number(services.some((s) => networkOf(s) === b && trouble(s))) -
        Number(services.some((s) => networkOf(s) === a && trouble(s))) || nameOf(a).localeCompare(nameOf(b)),
  );
  const set: SetPaused = (service, paused) =>
    api(apiPath('POST /HealthcareService/{id}/$availability', { id: service.id }), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ acceptingReferrals: true, deliveriesPaused: paused }),
    }).then(
      () => {
        setFailure(undefined);
        reload();
      },
      (thrown: ApiError) => setFailure(thrown),
    );
  return (
    <>
      <h1>Receivers</h1>
      {error && <Problem error={error} />}
      {failure && <Problem error={failure} />}
      <NeedsAttention inTrouble={(health?.receivers ?? []).filter((h) => h.inTrouble)} set={set} />
      <FilterSelect
        id="network"
        label="Network"
        all="Every network"
        choices={networks.map(nameOf)}
        value={shown}
        onChange={setShown}
      />
      {networks
        .filter((network) => !shown || nameOf(network) === shown)
        .map((network) => (
          <NetworkServices
            key={network}
            id={network}
            name={nameOf(network)}
            services={services.filter((service) => networkOf(service) === network)}
            healthOf={healthOf}
            set={set}
          />
        ))}
      <Pager
        label="Pages of receiving services"
        pages={pages}
        next={next}
        words={{ back: 'Previous services', on: 'Next services' }}
      />
    </>
  );
}
