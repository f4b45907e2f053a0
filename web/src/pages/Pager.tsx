import { useState } from 'react';

/** Where a paged list is: the cursor of this page, and those of the pages before it (to go back). */
export function usePages() {
  const [before, setBefore] = useState<string[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  return {
    cursor,
    hasNewer: before.length > 0,
    newer: () => {
      setCursor(before.at(-1) || undefined);
      setBefore(before.slice(0, -1));
    },
    older: (next: string) => {
      setBefore([...before, cursor ?? '']);
      setCursor(next);
    },
  };
}

/** Newer and older pages of a list, newest first (the NHS pagination pattern); or, for a list not in time, `words`. */
export function Pager(props: {
  label: string;
  pages: ReturnType<typeof usePages>;
  next?: string | undefined;
  words?: { back: string; on: string };
}) {
  const words = props.words ?? { back: 'Newer', on: 'Older' };
  const { pages, next } = props;
  if (!pages.hasNewer && !next) return null;
  return (
    <nav className="nhsuk-pagination" aria-label={props.label}>
      <ul className="nhsuk-list nhsuk-pagination__list">
        {pages.hasNewer && (
          <li className="nhsuk-pagination-item--previous">
            <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={pages.newer}>
              {words.back}
            </button>
          </li>
        )}
        {next && (
          <li className="nhsuk-pagination-item--next">
            <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => pages.older(next)}>
              {words.on}
            </button>
          </li>
        )}
      </ul>
    </nav>
  );
}

/** A filter of a worklist: a label and its choices, the first standing for all. */
export function FilterSelect(props: {
  id: string;
  label: string;
  all: string;
  choices: readonly string[];
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <div className="nhsuk-form-group">
      <label className="nhsuk-label" htmlFor={props.id}>
        {props.label}
      </label>
      <select
        className="nhsuk-select"
        id={props.id}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
      >
        <option value="">{props.all}</option>
        {props.choices.map((choice) => (
          <option key={choice} value={choice}>
            {choice}
          </option>
        ))}
      </select>
    </div>
  );
}
