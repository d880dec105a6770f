// The three states every view shows besides its data: loading, empty and error.

import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api-client.ts';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="status status-loading" role="status" aria-live="polite">
      {label}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="status status-empty">{children}</p>;
}

/** An API error; a missing endpoint says which one the server lacks. */
export function ErrorNote({ error, what, onRetry }: { error: ApiError; what?: string; onRetry?: () => void }) {
  return (
    <div class="status status-error" role="alert">
      {error.isMissingEndpoint ? (
        <p>
          {what ?? 'This view'} is not available: this server does not provide <code>{error.message.replace(/^Route [A-Z]+ (\S+) not found$/, '$1')}</code> yet.
        </p>
      ) : (
        <p>
          {what ? `${what}: ` : ''}
          {error.message}
          {error.code && error.status ? <span class="error-code"> ({error.code}, HTTP {error.status})</span> : null}
        </p>
      )}
      {error.details.length > 0 ? (
        <ul>
          {error.details.map((d) => (
            <li key={d.field}>
              <code>{d.field}</code>: {d.message}
            </li>
          ))}
        </ul>
      ) : null}
      {onRetry && !error.isMissingEndpoint ? (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}
