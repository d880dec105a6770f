// Said where an admin-only control would be, for viewers and anonymous public readers:
// the control is left out, and this note says who may use it.

import { loginHref, useSession } from '../session.ts';

export function AdminRequired({ what }: { what: string }) {
  const { user } = useSession();
  return (
    <p class="notice notice-info admin-required">
      {what} needs the admin role.{' '}
      {user ? (
        `You are signed in as ${user.username} (${user.role}).`
      ) : (
        <a href={loginHref(window.location.pathname, window.location.search)}>Sign in as an admin</a>
      )}
    </p>
  );
}
