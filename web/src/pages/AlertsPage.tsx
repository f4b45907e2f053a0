import { type FormEvent, useState } from 'react';
import type { Alert } from '../../../core/api/responses';
import type { ApiError } from '../api';
import { acknowledgeAlert, useAlerts } from '../hooks';
import { Link } from '../router';
import { when } from '../words';
import { Pager, usePages } from './Pager';
import { Problem } from './Problem';
import { Table } from './Table';

/** The hub's alerts: open ones first (each raised once when its trouble began), then those cleared this week. */
export function AlertsPage() {
  const pages = usePages();
  const { data, error, loading, reload } = useAlerts(pages.cursor);
  const open = data?.open ?? 0;
  return (
    <>
      <h1>Alerts</h1>
      {error && <Problem error={error} />}
      {loading && !data && <p className="nhsuk-body">Loading…</p>}
      {data && (
        <p className="nhsuk-body-l">
          {open === 0
            ? 'No open alerts.'
            : `${data.moreOpen ? 'More than ' : ''}${open} open alert${open === 1 && !data.moreOpen ? '' : 's'}.`}
        </p>
      )}
      {data && data.alerts.length > 0 && (
        <Table
          caption="Open alerts, then alerts cleared in the last 7 days"
          headings={['State', 'What happened', 'Raised', 'Cleared', 'In hand', 'Look at']}
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
              <InHand key="hand" alert={alert} onDone={reload} />,
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
      <Pager label="Pages of alerts" pages={pages} next={data?.next} words={{ back: 'Previous', on: 'Next' }} />
    </>
  );
}

/** Who has an alert in hand and what they are doing; for an open one nobody has, the form to take it. */
function InHand({ alert, onDone }: { alert: Alert; onDone: () => void }) {
  const [failure, setFailure] = useState<ApiError | undefined>();
  if (alert.acknowledged)
    return (
      <>
        {alert.acknowledged.by}, {when(alert.acknowledged.at)}: {alert.acknowledged.note}
      </>
    );
  if (alert.state !== 'open') return null;
  const take = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const note = String(new FormData(event.currentTarget).get('note') ?? '').trim();
    acknowledgeAlert(alert.key, note).then(onDone, setFailure);
  };
  const id = `note-${alert.key.replace(/[^\w-]/g, '-')}`;
  return (
    <form onSubmit={take}>
      {failure && <Problem error={failure} />}
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor={id}>
          What are you doing about it?
        </label>
        <textarea className="nhsuk-textarea" id={id} name="note" rows={2} required maxLength={500} />
      </div>
      <button type="submit" className="nhsuk-button nhsuk-button--secondary">
        Take it in hand
      </button>
    </form>
  );
}
