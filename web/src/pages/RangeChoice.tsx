import { RANGES, type RangeKey } from '../ranges';
import { Link } from '../router';

/** The time ranges as links (a page address each: shareable, and the browser's back button works). */
export function RangeChoice(props: { path: string; current: RangeKey }) {
  return (
    <nav aria-label="Time range" className="nhsuk-u-margin-bottom-4">
      <ul className="hub-range">
        {RANGES.map((range) => (
          <li key={range.key}>
            {range.key === props.current ? (
              <strong aria-current="page">{range.label}</strong>
            ) : (
              <Link to={`${props.path}?range=${range.key}`}>{range.label}</Link>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}
