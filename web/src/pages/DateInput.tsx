/**
 * The NHS design system's date input: day, month and year as three short fields (no browser date picker, whose
 * format follows the browser's language, not England's). `dateOf` reads it back from the form as YYYY-MM-DD.
 */
export function DateInput(props: { name: string; legend: string; hint?: string; value?: string }) {
  const [year, month, day] = (props.value ?? '').split('-');
  const part = (key: 'day' | 'month' | 'year', label: string, width: 2 | 4, value?: string) => (
    <div className="nhsuk-date-input__item">
      <div className="nhsuk-form-group">
        <label className="nhsuk-label nhsuk-date-input__label" htmlFor={`${props.name}-${key}`}>
          {label}
        </label>
        <input
          className={`nhsuk-input nhsuk-date-input__input nhsuk-input--width-${width}`}
          id={`${props.name}-${key}`}
          name={`${props.name}-${key}`}
          inputMode="numeric"
          defaultValue={value ?? ''}
        />
      </div>
    </div>
  );
  return (
    <div className="nhsuk-form-group">
      <fieldset className="nhsuk-fieldset" {...(props.hint ? { 'aria-describedby': `${props.name}-hint` } : {})}>
        <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{props.legend}</legend>
        {props.hint && (
          <div className="nhsuk-hint" id={`${props.name}-hint`}>
            {props.hint}
          </div>
        )}
        <div className="nhsuk-date-input">
          {part('day', 'Day', 2, day)}
          {part('month', 'Month', 2, month)}
          {part('year', 'Year', 4, year)}
        </div>
      </fieldset>
    </div>
  );
}

/** The date a DateInput holds, as YYYY-MM-DD; empty when any part is missing. */
export function dateOf(form: FormData, name: string): string {
  const [day, month, year] = ['day', 'month', 'year'].map((key) => String(form.get(`${name}-${key}`) ?? '').trim());
  if (!day || !month || !year) return '';
  return `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}
