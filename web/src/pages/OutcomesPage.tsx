import { apiPath } from '../api';
import { useOutcomes } from '../hooks';
import { rangeOf, rangeQuery } from '../ranges';
import { Problem } from './Problem';
import { RangeChoice } from './RangeChoice';
import { Table } from './Table';

/** What came of the referrals, per PCN and national service specification; downloadable for commissioners. */
export function OutcomesPage({ query }: { query: URLSearchParams }) {
  const range = rangeOf(query);
  const { data, error, loading } = useOutcomes(range.hours);
  return (
    <>
      <h1>Outcomes</h1>
      <RangeChoice path="/outcomes" current={range.key} />
      {error && <Problem error={error} />}
      {loading && !data && <p className="nhsuk-body">Loading…</p>}
      {data && data.outcomes.length === 0 && <p className="nhsuk-body">No referrals in this time.</p>}
      {data && data.outcomes.length > 0 && (
        <>
          <Table
            caption="Referral outcomes per network and service specification"
            headings={[
              'Network',
              'Service',
              'Sent',
              'Accepted',
              'Rejected',
              'Why rejected',
              'Completed',
              'First answer',
            ]}
            rows={data.outcomes.map((r) => ({
              key: `${r.network}|${r.category}`,
              cells: [
                r.networkName,
                r.categoryName,
                String(r.sent),
                String(r.accepted),
                String(r.rejected),
                Object.entries(r.rejectedBecause)
                  .map(([reason, n]) => `${reason} (${n})`)
                  .join(', '),
                String(r.completed),
                r.medianMinutesToFirstAnswer === undefined
                  ? 'No answers'
                  : `Half within ${r.medianMinutesToFirstAnswer} minutes`,
              ],
            }))}
          />
          <p className="nhsuk-body">
            <a
              href={apiPath('GET /ops/outcomes', { format: 'csv', ...rangeQuery(range.hours) })}
              download="referral-outcomes.csv"
            >
              Download these outcomes as a spreadsheet (CSV)
            </a>
          </p>
        </>
      )}
    </>
  );
}
