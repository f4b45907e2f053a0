import type { DirectoryService } from '../hooks';

/** A choice of services, after a first option that stands for none in particular. */
export function ServiceSelect(props: {
  id: string;
  name: string;
  label: string;
  hint?: string;
  first: string;
  services: readonly DirectoryService[];
  value?: string;
  strong?: boolean;
  onChange?: (serviceId: string) => void;
}) {
  return (
    <div className="nhsuk-form-group">
      <label className={`nhsuk-label${props.strong ? ' nhsuk-label--s' : ''}`} htmlFor={props.id}>
        {props.label}
      </label>
      {props.hint && (
        <div className="nhsuk-hint" id={`${props.id}-hint`}>
          {props.hint}
        </div>
      )}
      <select
        className="nhsuk-select"
        id={props.id}
        name={props.name}
        defaultValue={props.value ?? ''}
        {...(props.hint ? { 'aria-describedby': `${props.id}-hint` } : {})}
        {...(props.onChange ? { onChange: (event) => props.onChange!(event.currentTarget.value) } : {})}
      >
        <option value="">{props.first}</option>
        {props.services.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
    </div>
  );
}
