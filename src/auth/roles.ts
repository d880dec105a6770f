// Roles and the access a route requires: who may call what.

export const ROLES = ['viewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a route requires, set in its `config.access`:
 * - `public`: anyone; no credential is even read (ingest, health, UI files).
 * - `optional`: anyone; the caller's identity is read when present (/api/auth/*).
 * - `read`: a viewer or admin, or anyone when public read is on.
 * - `admin`: an admin.
 * A route that declares nothing requires `read` for GET and HEAD and `admin` otherwise: fail closed.
 */
export type RouteAccess = 'public' | 'optional' | 'read' | 'admin';

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function defaultAccess(method: string): RouteAccess {
  return method === 'GET' || method === 'HEAD' ? 'read' : 'admin';
}

/** A username: 1 to 64 letters, digits, `.`, `_`, `-` or `@` (any script's letters). */
export function isValidUsername(value: unknown): value is string {
  return typeof value === 'string' && /^[\p{L}\p{N}._@-]{1,64}$/u.test(value);
}
