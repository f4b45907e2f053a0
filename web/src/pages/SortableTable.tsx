import { type ReactNode, useState } from 'react';
import { Table } from './Table';

export interface Column<T> {
  heading: string;
  cell: (row: T) => ReactNode;
  /** What the column sorts by (none: it does not sort). */
  sortBy?: (row: T) => string | number;
}

/**
 * A table people sort by any column: each heading is a button, the column sorted says so (aria-sort), and pressing it
 * again turns the order round. Starts in the order given.
 */
export function SortableTable<T>(props: {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
}) {
  const [sorted, setSorted] = useState<{ column: number; ascending: boolean } | undefined>();
  const by = sorted && props.columns[sorted.column]?.sortBy;
  const rows = by
    ? [...props.rows].sort((a, b) => {
        const [x, y] = [by(a), by(b)];
        const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return sorted.ascending ? order : -order;
      })
    : props.rows;
  const press = (column: number) =>
    setSorted((now) => ({ column, ascending: now?.column === column ? !now.ascending : true }));
  return (
    <Table
      caption={`${props.caption}${sorted ? `, sorted by ${props.columns[sorted.column]!.heading.toLowerCase()}` : ''}`}
      headings={props.columns.map((column, i) =>
        column.sortBy ? (
          <button
            type="button"
            className="hub-sort"
            key={column.heading}
            onClick={() => press(i)}
            aria-label={`${column.heading}: sort ${sorted?.column === i && sorted.ascending ? 'descending' : 'ascending'}`}
          >
            {column.heading}
            {sorted?.column === i ? (sorted.ascending ? ' ▲' : ' ▼') : ''}
          </button>
        ) : (
          column.heading
        ),
      )}
      sortedColumn={sorted && { index: sorted.column, ascending: sorted.ascending }}
      rows={rows.map((row) => ({ key: props.rowKey(row), cells: props.columns.map((column) => column.cell(row)) }))}
    />
  );
}
