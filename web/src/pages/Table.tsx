import type { ReactNode } from 'react';

/** An NHS design system table: a caption for screen readers, column headings, and rows of cells. */
export function Table(props: {
  caption: string;
  headings: ReactNode[];
  rows: { key: string; cells: ReactNode[] }[];
  /** The column the rows are sorted by, said to assistive technology (aria-sort). */
  sortedColumn?: { index: number; ascending: boolean } | undefined;
}) {
  return (
    // The container scrolls a wide table on its own, so a tablet's page never scrolls sideways; it takes the keyboard's
    // focus so that someone without a mouse can scroll it too.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
    <section className="nhsuk-table-container" tabIndex={0} aria-label={props.caption}>
      <table className="nhsuk-table">
        <caption className="nhsuk-table__caption nhsuk-u-visually-hidden">{props.caption}</caption>
        <thead className="nhsuk-table__head">
          <tr className="nhsuk-table__row">
            {props.headings.map((heading, i) => (
              <th
                className="nhsuk-table__header"
                scope="col"
                // biome-ignore lint/suspicious/noArrayIndexKey: headings are columns, in a fixed order
                key={i}
                {...(props.sortedColumn?.index === i
                  ? { 'aria-sort': props.sortedColumn.ascending ? ('ascending' as const) : ('descending' as const) }
                  : {})}
              >
                {heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="nhsuk-table__body">
          {props.rows.map((row) => (
            <tr className="nhsuk-table__row" key={row.key}>
              {row.cells.map((cell, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: cells are columns, in a fixed order
                <td className="nhsuk-table__cell" key={i}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
