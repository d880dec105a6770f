// Request and response schemas of /api/auth: login, session, users and API tokens.

import { Type } from 'typebox';

const RoleSchema = Type.Union([Type.Literal('viewer'), Type.Literal('admin')], { description: '`viewer` reads; `admin` also changes data and manages users and tokens.' });

export const SessionUser = Type.Object({ username: Type.String(), role: RoleSchema });

export const LoginBody = Type.Object({
  username: Type.String({ maxLength: 256 }),
  password: Type.String({ maxLength: 1024 }),
});

export const LoginResponse = Type.Object({
  user: SessionUser,
  csrfToken: Type.String({ description: 'Send it in X-CSRF-Token on every POST, PUT, PATCH and DELETE made with the session cookie.' }),
});

export const SessionResponse = Type.Object({
  user: Type.Union([SessionUser, Type.Null()], { description: 'null: anonymous. For an API token, its name and role.' }),
  publicRead: Type.Boolean({ description: 'Anonymous callers may read (TELEMETRICS_PUBLIC_READ).' }),
  csrfToken: Type.Union([Type.String(), Type.Null()], { description: 'The CSRF token of the cookie session; null otherwise.' }),
});

export const UserResponse = Type.Object({ username: Type.String(), role: RoleSchema, createdAt: Type.String({ format: 'date-time' }) });
export const UsersResponse = Type.Object({ users: Type.Array(UserResponse) });
export const UserBody = Type.Object({ username: Type.String({ maxLength: 256 }), role: RoleSchema, password: Type.String({ maxLength: 1024 }) });
export const UserParams = Type.Object({ username: Type.String({ maxLength: 256 }) });

export const TokenResponse = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: RoleSchema,
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export const TokensResponse = Type.Object({ tokens: Type.Array(TokenResponse) });
export const TokenBody = Type.Object({ name: Type.String({ maxLength: 256 }), role: RoleSchema });
export const CreatedTokenResponse = Type.Object({
  token: TokenResponse,
  secret: Type.String({ description: 'The token itself, shown only in this answer: send it as `Authorization: Bearer <secret>`.' }),
});
export const TokenParams = Type.Object({ name: Type.String({ maxLength: 256, description: 'The token name or id.' }) });
