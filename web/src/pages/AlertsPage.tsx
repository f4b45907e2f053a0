import { useAlerts } from '../hooks';
import { Link } from '../router';
import { when } from '../words';
import { Problem } from './Problem';
import { Table } from './Table';

/** The hub's alerts: open ones first (each raised once when its trouble began), then those cleared this week. */
export function AlertsPage() {
  const { data, error, loading } = useAlerts();
  const open = data?.alerts.filter((a) => a.state === 'open').length ?? 0;
  return (
    <>
      <h1>Alerts</h1>
      {error && <Problem error={error} />}
      {loading && !data && <p className="nhsuk-body">Loading…</p>}
      {data && (
        <p className="nhsuk-body-l">{open === 0 ? 'No open alerts.' : `${open} open alert${open === 1 ? '' : 's'}.`}</p>
      )}
      {data && data.alerts.length > 0 && (
        <Table
          caption="Open alerts, then alerts cleared in the last 7 days"
          headings={['State', 'What happened', 'Raised', 'Cleared', 'Look at']}
          rows={data.alerts.map((alert) => ({
            key: alert.key,
            cells: [
              alert.state === 'open' ? (
                <strong key="state" className="nhsuk-tag nhsuk-tag--red">
                  Open
                </strong>
              ) : (
                <strong key="state" className="nhsuk-tag nhsuk-tag--grey">
                  Cleared
                </strong>
              ),
              alert.summary,
              when(alert.raisedAt),
              alert.clearedAt ? when(alert.clearedAt) : '',
              alert.messageId ? (
                <Link key="look" to={`/messages/${alert.messageId}`}>
                  The message
                </Link>
              ) : alert.serviceId ? (
                <Link key="look" to="/receivers">
                  Receivers
                </Link>
              ) : (
                <Link key="look" to="/overview">
                  Overview
                </Link>
              ),
            ],
          }))}
        />
      )}
    </>
  );
}
