// The crash views' paths: top lists, guilty details, backtraces and the blacklist
// administration. Builds live under /crashes/build/ so that no build name can clash.

export type CrashRoute =
  | { kind: 'top' }
  | { kind: 'overall' }
  | { kind: 'build'; build: string }
  | { kind: 'guilty'; id: number }
  | { kind: 'backtraces'; id: number }
  | { kind: 'admin' }
  | { kind: 'admin-add' }
  | { kind: 'admin-remove' }
  | { kind: 'admin-hidden' }
  | { kind: 'admin-reset' }
  | { kind: 'admin-record'; recordId: number };

const ADMIN_PAGES = { add: 'admin-add', remove: 'admin-remove', hidden: 'admin-hidden', reset: 'admin-reset' } as const;

export function matchCrashRoute(path: string): CrashRoute | null {
  if (path === '/crashes') return { kind: 'top' };
  if (path === '/crashes/overall') return { kind: 'overall' };
  if (path === '/crashes/blacklist') return { kind: 'admin' };
  let m = /^\/crashes\/build\/([^/]+)$/.exec(path);
  if (m) return { kind: 'build', build: safeDecode(m[1] ?? '') };
  m = /^\/crashes\/guilty\/([0-9]{1,10})(\/backtraces)?$/.exec(path);
  if (m) return { kind: m[2] ? 'backtraces' : 'guilty', id: Number(m[1]) };
  m = /^\/crashes\/blacklist\/record\/([0-9]{1,15})$/.exec(path);
  if (m) return { kind: 'admin-record', recordId: Number(m[1]) };
  m = /^\/crashes\/blacklist\/(add|remove|hidden|reset)$/.exec(path);
  if (m) return { kind: ADMIN_PAGES[m[1] as keyof typeof ADMIN_PAGES] };
  return null;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export const buildPath = (build: string) => `/crashes/build/${encodeURIComponent(build)}`;
export const guiltyPath = (id: number) => `/crashes/guilty/${id}`;
