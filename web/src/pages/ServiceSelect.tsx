import type { DirectoryService } from '../hooks';

/** A choice of the network's services, after a first option that stands for none in particular. */
export function ServiceSelect(props: {
  id: string;
  name: string;
  label: string;
  first: string;
  services: readonly DirectoryService[];
  value?: string;
  strong?: boolean;
}) {
  return (
    <div className="nhsuk-form-group">
      <label className={`nhsuk-label${props.strong ? ' nhsuk-label--s' : ''}`} htmlFor={props.id}>
        {props.label}
      </label>
      <select className="nhsuk-select" id={props.id} name={props.name} defaultValue={props.value ?? ''}>
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
