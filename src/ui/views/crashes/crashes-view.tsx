// The Crashes tab: picks the crash view for the path and shows the crash sub-navigation.

import type { Location } from '../../router.ts';
import { BacktracesView } from './backtraces-view.tsx';
import { BlacklistAdmin } from './blacklist-admin.tsx';
import type { CrashRoute } from './crash-routes.ts';
import { GuiltyDetailsView } from './guilty-details-view.tsx';
import { RecordBlacklistEditor } from './record-blacklist-editor.tsx';
import { TopCrashesView } from './top-crashes-view.tsx';

export function CrashesView({ route, location }: { route: CrashRoute; location: Location }) {
  return (
    <>
      <nav class="sub-nav" aria-label="Crash views">
        <a href="/crashes" aria-current={route.kind === 'top' ? 'page' : undefined}>
          Top crashes
        </a>
        <a href="/crashes/overall" aria-current={route.kind === 'overall' ? 'page' : undefined}>
          Overall
        </a>
        <a href="/crashes/blacklist" aria-current={route.kind.startsWith('admin') ? 'page' : undefined}>
          Guilty blacklist
        </a>
      </nav>
      <CrashPage route={route} location={location} />
    </>
  );
}

function CrashPage({ route, location }: { route: CrashRoute; location: Location }) {
  switch (route.kind) {
    case 'top':
    case 'overall':
    case 'build':
      return <TopCrashesView route={route} location={location} />;
    case 'guilty':
      return <GuiltyDetailsView id={route.id} />;
    case 'backtraces':
      return <BacktracesView id={route.id} location={location} />;
    case 'admin-record':
      return <RecordBlacklistEditor recordId={route.recordId} guiltyId={Number(location.query.get('guilty_id') ?? '') || null} />;
    default:
      return <BlacklistAdmin page={route.kind} />;
  }
}
