import type { ApiError } from '../api';

/** What went wrong, said plainly, where the page's content would be. */
export function Problem({ error }: { error: ApiError }) {
  const title =
    error.status === 404
      ? 'Not found'
      : error.status === 403
        ? 'You cannot see this'
        : error.status === 401
          ? 'Please sign in again'
          : error.status === 409
            ? 'This has changed since you opened it'
            : 'Something went wrong';
  return (
    <div className="nhsuk-error-summary" aria-labelledby="problem-title" role="alert" tabIndex={-1}>
      <h2 className="nhsuk-error-summary__title" id="problem-title">
        {title}
      </h2>
      <div className="nhsuk-error-summary__body">
        <p>{error.message}</p>
      </div>
    </div>
  );
}
