// The signed-in session (issue #9): loaded at boot from GET /api/auth/session, kept in
// memory only, shared with the views through a context. Never touches localStorage.

import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { connectSession, getSession, logout, type ApiError, type AuthSession, type SessionUser } from './api-client.ts';
import { asApiError } from './use-api.ts';

/** Why the login page is shown: nobody signed in, the session ended, or the user asked. */
export type LoginReason = 'required' | 'expired' | 'requested';

export type SessionState =
  | { phase: 'loading' }
  | { phase: 'failed'; error: ApiError }
  | { phase: 'ready'; session: AuthSession; loginReason: LoginReason | null };

export interface SessionControls {
  user: SessionUser | null;
  publicRead: boolean;
  isAdmin: boolean;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionControls>({ user: null, publicRead: false, isAdmin: false, signOut: async () => {} });

/** The session of the views below the gate. */
export function useSession(): SessionControls {
  return useContext(SessionContext);
}

export interface SessionGate {
  state: SessionState;
  controls: SessionControls;
  retry(): void;
  signedIn(user: SessionUser, csrfToken: string): void;
  /** public read: leave the login page and go on anonymously */
  dismissLogin(): void;
}

/** Loads the session at boot, connects the API client to it and follows it to sign-out or a 401. */
export function useSessionGate(): SessionGate {
  const [state, setState] = useState<SessionState>({ phase: 'loading' });
  const [generation, setGeneration] = useState(0);
  const current = useRef<AuthSession | null>(null);
  current.current = state.phase === 'ready' ? state.session : null;

  useEffect(() => {
    const controller = new AbortController();
    setState({ phase: 'loading' });
    getSession(controller.signal).then(
      (session) => setState({ phase: 'ready', session, loginReason: loginReasonFor(session) }),
      (err: unknown) => {
        if (!controller.signal.aborted) setState({ phase: 'failed', error: asApiError(err) });
      },
    );
    return () => controller.abort();
  }, [generation]);

  useEffect(
    () =>
      connectSession({
        csrfToken: () => current.current?.csrfToken ?? null,
        onUnauthorized: () =>
          setState((s) => (s.phase === 'ready' ? { phase: 'ready', session: { ...s.session, user: null, csrfToken: null }, loginReason: s.session.user ? 'expired' : 'required' } : s)),
        // The cookie now belongs to another session (signed in again in another tab): take its token.
        onCsrfRejected: () =>
          void getSession().then(
            (session) => setState({ phase: 'ready', session, loginReason: loginReasonFor(session) }),
            () => {},
          ),
      }),
    [],
  );

  const session = state.phase === 'ready' ? state.session : null;
  const controls: SessionControls = {
    user: session?.user ?? null,
    publicRead: session?.publicRead ?? false,
    isAdmin: session?.user?.role === 'admin',
    async signOut() {
      try {
        await logout();
      } catch (err) {
        // A session that already ended is signed out; anything else is worth showing.
        if (asApiError(err).status !== 401) throw err;
      }
      setState((s) => (s.phase === 'ready' ? { phase: 'ready', session: { ...s.session, user: null, csrfToken: null }, loginReason: s.session.publicRead ? null : 'required' } : s));
    },
  };
  return {
    state,
    controls,
    retry: () => setGeneration((g) => g + 1),
    dismissLogin: () => setState((s) => (s.phase === 'ready' && s.session.publicRead ? { ...s, loginReason: null } : s)),
    signedIn: (user, csrfToken) => setState((s) => ({ phase: 'ready', session: { user, csrfToken, publicRead: s.phase === 'ready' ? s.session.publicRead : false }, loginReason: null })),
  };
}

function loginReasonFor(session: AuthSession): LoginReason | null {
  return session.user === null && !session.publicRead ? 'required' : null;
}

/** `/login?next=…` for a "Sign in" link that comes back to where the user was. */
export function loginHref(path: string, search: string): string {
  return path === '/login' ? `${path}${search}` : `/login?next=${encodeURIComponent(path + search)}`;
}

/** Where to go after signing in: the `next=` of /login when it is an in-app path, else the current URL. */
export function nextAfterLogin(path: string, query: URLSearchParams): string | null {
  if (path !== '/login') return null;
  const next = query.get('next') ?? '/';
  // Only a same-origin path: never `//host` or a scheme, so the link cannot send anyone away.
  return /^\/(?![/\\])/.test(next) && !next.startsWith('/login') ? next : '/';
}
