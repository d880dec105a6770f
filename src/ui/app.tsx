// The shell: navigation tabs (reference §7.1 order, Dashboard first) and the view
// chosen by the path, behind the session gate: the login page when the server needs a
// sign-in (issue #9), at the URL the user asked for. Each view reads its state from the URL.

import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { Page } from './components/page.tsx';
import { SessionMenu } from './components/session-menu.tsx';
import { ErrorNote, Loading } from './components/status.tsx';
import { navigate, useLocation, type Location } from './router.ts';
import { nextAfterLogin, SessionContext, useSession, useSessionGate } from './session.ts';
import { LoginView } from './views/login/login-view.tsx';
import { BuildsView } from './views/builds/builds-view.tsx';
import { matchCrashRoute } from './views/crashes/crash-routes.ts';
import { CrashesView } from './views/crashes/crashes-view.tsx';
import { DashboardView } from './views/dashboard/dashboard-view.tsx';
import { MceView } from './views/mce/mce-view.tsx';
import { PopulationView } from './views/population/population-view.tsx';
import { RecordsView } from './views/records/records-view.tsx';
import { StatsView } from './views/stats/stats-view.tsx';
import { ThermalView } from './views/thermal/thermal-view.tsx';
import { UsersView } from './views/users/users-view.tsx';

const TABS = [
  { path: '/', label: 'Dashboard', keepsRange: true },
  { path: '/records', label: 'Records', keepsRange: false },
  { path: '/builds', label: 'Builds', keepsRange: true },
  { path: '/stats', label: 'Stats', keepsRange: true },
  { path: '/crashes', label: 'Crashes', keepsRange: false },
  { path: '/mce', label: 'MCE', keepsRange: false },
  { path: '/thermal', label: 'Thermal', keepsRange: false },
  { path: '/population', label: 'Population', keepsRange: false },
] as const;

/** Shown to admins only: user and API token management. */
const ADMIN_TABS = [{ path: '/users', label: 'Users & tokens', keepsRange: false }] as const;

export function App() {
  const location = useLocation();
  const gate = useSessionGate();
  const ready = gate.state.phase === 'ready' ? gate.state : null;
  const next = nextAfterLogin(location.path, location.query);
  const showLogin = ready !== null && (ready.loginReason !== null || (next !== null && ready.session.user === null));
  // Signed in on /login: go on to the page that was wanted.
  const leaveLogin = ready !== null && !showLogin && next !== null;
  useEffect(() => {
    if (leaveLogin && next !== null) navigate(next, { replace: true });
  }, [leaveLogin, next]);

  let content: ComponentChildren;
  if (gate.state.phase === 'loading' || leaveLogin) content = <Loading />;
  else if (gate.state.phase === 'failed') content = <ErrorNote error={gate.state.error} what="Checking the session" onRetry={gate.retry} />;
  else if (showLogin && ready)
    content = (
      <LoginView
        reason={ready.loginReason ?? 'requested'}
        publicRead={ready.session.publicRead}
        continueHref={next ?? location.path + window.location.search}
        onSignedIn={gate.signedIn}
        onContinue={gate.dismissLogin}
      />
    );
  else content = <CurrentView location={location} />;
  return (
    <SessionContext.Provider value={gate.controls}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top-bar">
        <a class="brand" href="/">
          CLR Telemetry
        </a>
        {ready && !showLogin ? <ViewTabs location={location} /> : <span class="top-bar-fill" />}
        {ready && !showLogin ? <SessionMenu location={location} /> : null}
        <a class="api-link" href="/docs">
          API
        </a>
      </header>
      <main id="main" tabIndex={-1}>
        {content}
      </main>
    </SessionContext.Provider>
  );
}

function ViewTabs({ location }: { location: Location }) {
  const { isAdmin } = useSession();
  const tabs = isAdmin ? [...TABS, ...ADMIN_TABS] : TABS;
  const active = tabs.find((t) => (t.path === '/' ? location.path === '/' : location.path === t.path || location.path.startsWith(`${t.path}/`)));
  const range = location.query.get('range');
  return (
    <nav aria-label="Views">
      <ul>
        {tabs.map((t) => (
          <li key={t.path}>
            <a href={t.keepsRange && range && active?.keepsRange ? `${t.path}?range=${encodeURIComponent(range)}` : t.path} aria-current={active === t ? 'page' : undefined}>
              {t.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function CurrentView({ location }: { location: Location }) {
  const path = location.path.length > 1 ? location.path.replace(/\/+$/, '') : location.path;
  switch (path) {
    case '/':
      return <DashboardView location={location} />;
    case '/records':
      return <RecordsView location={location} />;
    case '/builds':
      return <BuildsView location={location} />;
    case '/stats':
      return <StatsView location={location} />;
    case '/mce':
      return <MceView location={location} />;
    case '/thermal':
      return <ThermalView />;
    case '/population':
      return <PopulationView />;
    case '/users':
      return <UsersView />;
    default: {
      const crash = matchCrashRoute(path);
      if (crash) return <CrashesView route={crash} location={location} />;
      return (
        <Page title="Not found">
          <p class="status status-empty">No view at this address. Pick one above.</p>
        </Page>
      );
    }
  }
}
