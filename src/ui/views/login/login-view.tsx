// The login page (issue #9), shown at the URL the user asked for so that signing in
// lands there: user name and password, with plain messages for a wrong password (401)
// and for throttling (429, with when to try again).

import { useEffect, useRef, useState } from 'preact/hooks';
import { formatWait, login, type ApiError, type SessionUser } from '../../api-client.ts';
import { Page } from '../../components/page.tsx';
import { ErrorNote } from '../../components/status.tsx';
import type { LoginReason } from '../../session.ts';
import { asApiError } from '../../use-api.ts';

const INTRO: Record<LoginReason, string> = {
  required: 'Sign in to see the telemetry of this server.',
  expired: 'Your session has ended. Sign in again to continue.',
  requested: 'Sign in to change crash data or to administer this server.',
};

export interface LoginViewProps {
  reason: LoginReason;
  publicRead: boolean;
  /** where "Continue without signing in" goes (public read only) */
  continueHref: string;
  onSignedIn(user: SessionUser, csrfToken: string): void;
  onContinue(): void;
}

export function LoginView({ reason, publicRead, continueHref, onSignedIn, onContinue }: LoginViewProps) {
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<{ text: string } | { error: ApiError } | null>(null);
  const username = useRef<HTMLInputElement>(null);
  const password = useRef<HTMLInputElement>(null);
  useEffect(() => {
    username.current?.focus();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const credentials = { username: String(data.get('username') ?? '').trim(), password: String(data.get('password') ?? '') };
    setSubmitting(true);
    setProblem(null);
    try {
      const answer = await login(credentials);
      onSignedIn(answer.user, answer.csrfToken);
    } catch (err) {
      const error = asApiError(err);
      setSubmitting(false);
      setProblem(describeLoginError(error));
      if (error.status === 401 && password.current) {
        password.current.value = '';
        password.current.focus();
      }
    }
  };

  return (
    <Page title="Sign in" docTitle="Sign in - CLR Telemetry">
      <div class="login-panel">
        <p class="login-intro">{INTRO[reason]}</p>
        <form class="login-form" onSubmit={(e) => void submit(e)} aria-describedby={problem ? 'login-problem' : undefined}>
          <label class="stacked">
            <span>User name</span>
            <input ref={username} name="username" autoComplete="username" autoCapitalize="none" spellcheck={false} required />
          </label>
          <label class="stacked">
            <span>Password</span>
            <input ref={password} name="password" type="password" autoComplete="current-password" required />
          </label>
          <div id="login-problem">
            {problem && 'text' in problem ? (
              <p class="status status-error login-error" role="alert">
                {problem.text}
              </p>
            ) : null}
            {problem && 'error' in problem ? <ErrorNote error={problem.error} what="Signing in" /> : null}
          </div>
          <div class="form-actions">
            <button type="submit" class="primary" disabled={submitting}>
              {submitting ? 'Signing in…' : 'Sign in'}
            </button>
            {publicRead ? (
              <a href={continueHref} onClick={onContinue}>
                Continue without signing in
              </a>
            ) : null}
          </div>
        </form>
      </div>
    </Page>
  );
}

function describeLoginError(error: ApiError): { text: string } | { error: ApiError } {
  if (error.status === 401) return { text: 'Wrong user name or password. Check both and try again.' };
  if (error.status === 429) {
    const wait = error.retryAfterSeconds;
    if (wait === null) return { text: 'Too many sign-in attempts. Wait a little, then try again.' };
    const at = new Date(Date.now() + wait * 1000).toLocaleTimeString();
    return { text: `Too many sign-in attempts. Try again in ${formatWait(wait)} (at ${at}).` };
  }
  return { error };
}
