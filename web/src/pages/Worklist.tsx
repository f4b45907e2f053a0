import { useState } from 'react';
import type { MessageRecord } from '../../../core/api/responses';
import { FilterSelect } from './Pager';
import { type Column, SortableTable } from './SortableTable';

/**
 * A worklist of referrals: how many stand in each state, filters by state and by service, and the table sorted by any
 * column. `standing` says where each stands, in the words of whoever works the list.
 */
export function Worklist(props: {
  caption: string;
  work: readonly MessageRecord[];
  standing: (m: MessageRecord) => string;
  columns: readonly Column<MessageRecord>[];
}) {
  const { work, standing } = props;
  const [filter, setFilter] = useState('');
  const [service, setService] = useState('');
  const counts = new Map<string, number>();
  for (const m of work) counts.set(standing(m), (counts.get(standing(m)) ?? 0) + 1);
  const services = [...new Set(work.map((m) => m.destination.serviceName ?? ''))].filter(Boolean).sort();
  const shown = work.filter(
    (m) => (!filter || standing(m) === filter) && (!service || m.destination.serviceName === service),
  );
  return (
    <>
      <ul className="nhsuk-list" aria-label="How many in each state">
        {[...counts].map(([state, count]) => (
          <li key={state}>
            <strong>{count}</strong> {state.toLowerCase()}
          </li>
        ))}
      </ul>
      <div className="hub-filters">
        <FilterSelect
          id="standing"
          label="Show"
          all="Everything"
          choices={[...counts.keys()]}
          value={filter}
          onChange={setFilter}
        />
        {services.length > 1 && (
          <FilterSelect
            id="service"
            label="Service"
            all="Every service"
            choices={services}
            value={service}
            onChange={setService}
          />
        )}
      </div>
      <SortableTable caption={props.caption} columns={props.columns} rows={shown} rowKey={(m) => m.messageId} />
    </>
  );
}
