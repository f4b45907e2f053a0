/** One row of an NHS summary list; nothing when there is nothing to say. */
export function SummaryRow({ label, value }: { label: string; value: string | undefined }) {
  if (!value) return null;
  return (
    <div className="nhsuk-summary-list__row">
      <dt className="nhsuk-summary-list__key">{label}</dt>
      <dd className="nhsuk-summary-list__value">{value}</dd>
    </div>
  );
}

/** A row for a summary list (a function form, for lists built inline). */
export const row = (label: string, value: string | undefined) => <SummaryRow key={label} label={label} value={value} />;
