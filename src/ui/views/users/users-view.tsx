// Users and API tokens (issue #9, admins only): list, add and remove users; create and
// revoke tokens. A new token's secret is shown once, from memory, and never stored.

import { useState } from 'preact/hooks';
import { addUser, createApiToken, listApiTokens, listUsers, removeUser, revokeApiToken, type ApiTokenInfo, type UserAccount } from '../../api-client.ts';
import { AdminRequired } from '../../components/admin-required.tsx';
import { Notice, type NoticeMessage } from '../../components/notice.tsx';
import { Page } from '../../components/page.tsx';
import { Empty, ErrorNote, Loading } from '../../components/status.tsx';
import { formatLocalDateTime } from '../../format.ts';
import { useSession } from '../../session.ts';
import { asApiError, useApi } from '../../use-api.ts';

type Role = 'admin' | 'viewer';
type Run = (action: () => Promise<NoticeMessage>) => Promise<boolean>;

const shownTime = (iso: string | null) => (iso ? formatLocalDateTime(Date.parse(iso) / 1000) : 'never');

export function UsersView() {
  const { isAdmin } = useSession();
  const [notice, setNotice] = useState<NoticeMessage | null>(null);
  const [refresh, setRefresh] = useState(0);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const run: Run = async (action) => {
    let done = false;
    try {
      setNotice(await action());
      done = true;
    } catch (err) {
      setNotice({ tone: 'danger', text: asApiError(err).message });
    }
    setRefresh((n) => n + 1);
    return done;
  };
  if (!isAdmin)
    return (
      <Page title="Users & tokens">
        <AdminRequired what="Managing users and API tokens" />
      </Page>
    );
  return (
    <Page title="Users & tokens">
      <Notice message={notice} />
      {secret ? (
        <div class="notice notice-warning token-secret" role="status">
          <p>
            The secret of token <strong>{secret.name}</strong> is shown only now: copy it. Send it as <code>Authorization: Bearer &lt;secret&gt;</code>.
          </p>
          <input readOnly value={secret.secret} aria-label={`Secret of token ${secret.name}`} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
          <button type="button" onClick={() => setSecret(null)}>
            Done
          </button>
        </div>
      ) : null}
      <div class="two-columns">
        <Users refresh={refresh} run={run} />
        <Tokens refresh={refresh} run={run} onCreated={setSecret} />
      </div>
    </Page>
  );
}

function readForm(event: Event): { form: HTMLFormElement; data: FormData } {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  return { form, data: new FormData(form) };
}

function Users({ refresh, run }: { refresh: number; run: Run }) {
  const state = useApi(`users:${refresh}`, (signal) => listUsers(signal));
  const submit = (event: Event) => {
    const { form, data } = readForm(event);
    const user = { username: String(data.get('username') ?? '').trim(), role: String(data.get('role')) as Role, password: String(data.get('password') ?? '') };
    void run(async () => {
      await addUser(user);
      form.reset();
      return { tone: 'success', text: `Added ${user.role} ${user.username}` };
    });
  };
  const remove = (user: UserAccount) => {
    if (!window.confirm(`Remove user ${user.username}? Their sessions end at once.`)) return;
    void run(async () => {
      await removeUser(user.username);
      return { tone: 'success', text: `Removed user ${user.username}` };
    });
  };
  return (
    <section>
      <h2>Users</h2>
      {state.status === 'error' ? <ErrorNote error={state.error} what="Users" onRetry={state.reload} /> : null}
      {state.status === 'loading' && !state.data ? <Loading /> : null}
      {state.data && state.data.users.length === 0 ? <Empty>No users.</Empty> : null}
      {state.data && state.data.users.length > 0 ? (
        <table class="plain-table users-table">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Added</th>
              <th scope="col">
                <span class="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {state.data.users.map((u) => (
              <tr key={u.username} data-username={u.username}>
                <td>{u.username}</td>
                <td>{u.role}</td>
                <td>{shownTime(u.createdAt)}</td>
                <td>
                  <button type="button" class="danger" onClick={() => remove(u)} aria-label={`Remove user ${u.username}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form class="filter-form" onSubmit={submit} aria-label="Add a user">
        <label>
          <span>New user name</span>
          <input name="username" required autoComplete="off" autoCapitalize="none" spellcheck={false} maxLength={64} />
        </label>
        <RoleSelect />
        <label>
          <span>Password (at least 8 characters)</span>
          <input name="password" type="password" required minLength={8} autoComplete="new-password" />
        </label>
        <div class="form-actions">
          <button type="submit" class="primary">
            Add user
          </button>
        </div>
      </form>
    </section>
  );
}

function Tokens({ refresh, run, onCreated }: { refresh: number; run: Run; onCreated: (s: { name: string; secret: string }) => void }) {
  const state = useApi(`tokens:${refresh}`, (signal) => listApiTokens(signal));
  const submit = (event: Event) => {
    const { form, data } = readForm(event);
    const token = { name: String(data.get('name') ?? '').trim(), role: String(data.get('role')) as Role };
    void run(async () => {
      const created = await createApiToken(token);
      form.reset();
      onCreated({ name: created.token.name, secret: created.secret });
      return { tone: 'success', text: `Created ${created.token.role} token ${created.token.name}` };
    });
  };
  const revoke = (token: ApiTokenInfo) => {
    if (!window.confirm(`Revoke token ${token.name}? Programs using it lose access at once.`)) return;
    void run(async () => {
      await revokeApiToken(token.id);
      return { tone: 'success', text: `Revoked token ${token.name}` };
    });
  };
  return (
    <section>
      <h2>API tokens</h2>
      {state.status === 'error' ? <ErrorNote error={state.error} what="API tokens" onRetry={state.reload} /> : null}
      {state.status === 'loading' && !state.data ? <Loading /> : null}
      {state.data && state.data.tokens.length === 0 ? <Empty>No API tokens.</Empty> : null}
      {state.data && state.data.tokens.length > 0 ? (
        <table class="plain-table tokens-table">
          <thead>
            <tr>
              <th scope="col">Token</th>
              <th scope="col">Role</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {state.data.tokens.map((t) => (
              <tr key={t.id} data-token={t.name}>
                <td>{t.name}</td>
                <td>{t.role}</td>
                <td>{shownTime(t.createdAt)}</td>
                <td>{shownTime(t.lastUsedAt)}</td>
                <td>
                  <button type="button" class="danger" onClick={() => revoke(t)} aria-label={`Revoke token ${t.name}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form class="filter-form" onSubmit={submit} aria-label="Create an API token">
        <label>
          <span>New token name</span>
          <input name="name" required autoComplete="off" spellcheck={false} maxLength={64} />
        </label>
        <RoleSelect />
        <div class="form-actions">
          <button type="submit" class="primary">
            Create token
          </button>
        </div>
      </form>
    </section>
  );
}

function RoleSelect() {
  return (
    <label>
      <span>Role</span>
      <select name="role">
        <option value="viewer">viewer (reads)</option>
        <option value="admin">admin (also changes data, users and tokens)</option>
      </select>
    </label>
  );
}
