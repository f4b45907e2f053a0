import { useState } from 'react';
import type { LoadedNetworks, ReceiversHealth } from '../../../core/api/responses';
import { type ApiError, api } from '../api';
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

/**
 * Every receiving service and whether it takes work; ops pause one in trouble (its deliveries wait instead of
 * spending retries, its new referrals go to its fallback) and resume it (what waited is sent at once).
 */
export function ReceiversPage() {
  const pages = usePages();
  const { data, error, reload } = useApi<{
    entry?: { resource: Service }[];
    link?: { relation: string; url: string }[];
  }>(`/HealthcareService?_count=${RECEIVERS_PAGE}${pages.cursor ? `&cursor=${pages.cursor}` : ''}`);
  const nextUrl = data?.link?.find((l) => l.relation === 'next')?.url;
  const next = nextUrl ? (new URL(nextUrl, window.location.origin).searchParams.get('cursor') ?? undefined) : undefined;
  const { data: loaded } = useApi<LoadedNetworks>('/routing/networks');
  const networkName = new Map((loaded?.networks ?? []).map((n) => [n.id, n.name]));
  const [shown, setShown] = useState('');
  const { data: health } = useApi<ReceiversHealth>('/receivers/$health');
  const healthOf = new Map((health?.receivers ?? []).map((h) => [h.serviceId, h]));
  const [failure, setFailure] = useState<ApiError | undefined>();
  // Whatever page is shown, the services in trouble (of every network) come first: they are what ops look for.
  const inTrouble = (health?.receivers ?? []).filter((h) => h.inTrouble);
  // Those in trouble first, in each network and among the networks: they are what ops look for.
  const trouble = (service: Service) => Number(healthOf.get(service.id)?.inTrouble ?? false);
  const services = (data?.entry ?? []).map((e) => e.resource).sort((a, b) => trouble(b) - trouble(a));
  const networks = [...new Set(services.map(networkOf))].sort(
    (a, b) =>
      Number(services.some((s) => networkOf(s) === b && trouble(s))) -
        Number(services.some((s) => networkOf(s) === a && trouble(s))) ||
      (networkName.get(a) ?? a).localeCompare(networkName.get(b) ?? b),
  );
  const set = (service: Service, paused: boolean) =>
    api(`/HealthcareService/${encodeURIComponent(service.id)}/$availability`, {
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
      {inTrouble.length > 0 && (
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
                h.lastFailure
                  ? `${when(h.lastFailure.at)}: ${h.lastFailure.why} (${h.consecutiveFailures} in a row)`
                  : '',
                h.retrying ? `${h.waiting} (${h.retrying} being retried)` : String(h.waiting),
                <button
                  key="pause"
                  type="button"
                  className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
                  onClick={() => set({ id: h.serviceId, name: h.serviceName }, true)}
                >
                  Pause <span className="nhsuk-u-visually-hidden">{h.serviceName}</span>
                </button>,
              ],
            }))}
          />
        </section>
      )}
      <FilterSelect
        id="network"
        label="Network"
        all="Every network"
        choices={networks.map((n) => networkName.get(n) ?? n)}
        value={shown}
        onChange={setShown}
      />
      {networks
        .filter((network) => !shown || (networkName.get(network) ?? network) === shown)
        .map((network) => (
          <section key={network} aria-labelledby={`network-${network}`}>
            <h2 id={`network-${network}`}>{networkName.get(network) ?? network}</h2>
            <Table
              caption={`${networkName.get(network) ?? network}: its receiving services and whether they take work`}
              headings={['Service', 'State', 'Last delivered', 'Last failure', 'Waiting', 'Answers in', 'Action']}
              rows={services
                .filter((service) => networkOf(service) === network)
                .map((service) => {
                  const paused = service.availabilityExceptions?.startsWith(PAUSED) ?? false;
                  const h = healthOf.get(service.id);
                  return {
                    key: service.id,
                    cells: [
                      <>
                        {h?.inTrouble ? <strong className="nhsuk-tag nhsuk-tag--red">In trouble</strong> : null}{' '}
                        {service.name}
                      </>,
                      service.availabilityExceptions ?? 'Taking work',
                      h?.lastSuccess ? when(h.lastSuccess) : '',
                      h?.lastFailure
                        ? `${when(h.lastFailure.at)}: ${h.lastFailure.why}${h.consecutiveFailures > 1 ? ` (${h.consecutiveFailures} in a row)` : ''}`
                        : '',
                      h?.retrying ? `${h.waiting} (${h.retrying} being retried)` : String(h?.waiting ?? 0),
                      h?.averageMinutesToFirstAnswer !== undefined ? `${h.averageMinutesToFirstAnswer} min` : '',
                      <button
                        key="action"
                        type="button"
                        className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
                        onClick={() => set(service, !paused)}
                      >
                        {paused ? 'Resume' : 'Pause'} <span className="nhsuk-u-visually-hidden">{service.name}</span>
                      </button>,
                    ],
                  };
                })}
            />
          </section>
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
