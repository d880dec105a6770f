// The header's session part: who is signed in, with which role, and "Sign out"; or a
// "Sign in" link for anonymous readers of a public-read server.

import { useState } from 'preact/hooks';
import type { Location } from '../router.ts';
import { loginHref, useSession } from '../session.ts';
import { asApiError } from '../use-api.ts';

export function SessionMenu({ location }: { location: Location }) {
  const session = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!session.user) {
    if (!session.publicRead) return null;
    const search = location.query.toString();
    return (
      <div class="session-menu">
        <span class="session-user">Public read-only</span>
        <a class="sign-in-link" href={loginHref(location.path, search === '' ? '' : `?${search}`)}>
          Sign in
        </a>
      </div>
    );
  }
  const signOut = async () => {
    setBusy(true);
    setError(null);
    try {
      await session.signOut();
    } catch (err) {
      setError(`Sign-out failed: ${asApiError(err).message}`);
      setBusy(false);
    }
  };
  return (
    <div class="session-menu">
      <span class="session-user">
        <span class="visually-hidden">Signed in as </span>
        <strong>{session.user.username}</strong> <span class={`role-badge role-${session.user.role}`}>{session.user.role}</span>
      </span>
      <button type="button" class="sign-out" onClick={() => void signOut()} disabled={busy}>
        Sign out
      </button>
      {error ? (
        <span class="session-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
