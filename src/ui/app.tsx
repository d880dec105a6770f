// The shell: navigation tabs (reference §7.1 order, Dashboard first) and the view
// chosen by the path. Each view reads its state from the URL.

import { Page } from './components/page.tsx';
import { useLocation, type Location } from './router.ts';
import { BuildsView } from './views/builds/builds-view.tsx';
import { matchCrashRoute } from './views/crashes/crash-routes.ts';
import { CrashesView } from './views/crashes/crashes-view.tsx';
import { DashboardView } from './views/dashboard/dashboard-view.tsx';
import { MceView } from './views/mce/mce-view.tsx';
import { PopulationView } from './views/population/population-view.tsx';
import { RecordsView } from './views/records/records-view.tsx';
import { StatsView } from './views/stats/stats-view.tsx';
import { ThermalView } from './views/thermal/thermal-view.tsx';

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

export function App() {
  const location = useLocation();
  const active = TABS.find((t) => (t.path === '/' ? location.path === '/' : location.path === t.path || location.path.startsWith(`${t.path}/`)));
  const range = location.query.get('range');
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top-bar">
        <a class="brand" href="/">
          CLR Telemetry
        </a>
        <nav aria-label="Views">
          <ul>
            {TABS.map((t) => (
              <li key={t.path}>
                <a href={t.keepsRange && range && active?.keepsRange ? `${t.path}?range=${encodeURIComponent(range)}` : t.path} aria-current={active === t ? 'page' : undefined}>
                  {t.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <a class="api-link" href="/docs">
          API
        </a>
      </header>
      <main id="main" tabIndex={-1}>
        <CurrentView location={location} />
      </main>
    </>
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
