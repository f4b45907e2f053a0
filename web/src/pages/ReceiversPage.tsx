import { useState } from 'react';
import { type ApiError, api } from '../api';
import { useApi } from '../hooks';
import { when } from '../words';
import { Problem } from './Problem';
import { Table } from './Table';

interface Service {
  id: string;
  name: string;
  active?: boolean;
  availabilityExceptions?: string;
}

const PAUSED = 'Paused by the hub operations team';

interface Health {
  serviceId: string;
  lastSuccess?: string;
  lastFailure?: { at: string; why: string };
  consecutiveFailures: number;
  waiting: number;
  retrying: number;
  averageMinutesToFirstAnswer?: number;
  inTrouble: boolean;
}

/**
 * Every receiving service and whether it takes work; ops pause one in trouble (its deliveries wait instead of
 * spending retries, its new referrals go to its fallback) and resume it (what waited is sent at once).
 */
export function ReceiversPage() {
  const { data, error, reload } = useApi<{ entry?: { resource: Service }[] }>('/HealthcareService');
  const { data: health } = useApi<{ receivers: Health[] }>('/receivers/$health');
  const healthOf = new Map((health?.receivers ?? []).map((h) => [h.serviceId, h]));
  const [failure, setFailure] = useState<ApiError | undefined>();
  // Those in trouble first: they are what ops look for.
  const services = (data?.entry ?? [])
    .map((e) => e.resource)
    .sort((a, b) => Number(healthOf.get(b.id)?.inTrouble ?? false) - Number(healthOf.get(a.id)?.inTrouble ?? false));
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
      <Table
        caption="Receiving services and whether they take work"
        headings={['Service', 'State', 'Last delivered', 'Last failure', 'Waiting', 'Answers in', 'Action']}
        rows={services.map((service) => {
          const paused = service.availabilityExceptions?.startsWith(PAUSED) ?? false;
          const h = healthOf.get(service.id);
          return {
            key: service.id,
            cells: [
              <>
                {h?.inTrouble ? <strong className="nhsuk-tag nhsuk-tag--red">In trouble</strong> : null} {service.name}
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
    </>
  );
}
