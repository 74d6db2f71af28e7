import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useCanWrite } from '../../auth/session';
import { ErrorAlert } from '../../components/Alert';
import { Pager } from '../../components/Pager';
import { UsageMeter } from '../../components/UsageMeter';
import { formatTime } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { usersApi } from './api';
import { CsvImport } from './CsvImport';
import { sourceLabel } from './UserPage';
import { SelectionActions } from './SelectionActions';

const PAGE_SIZE = 20;

export function UsersPage() {
  const canWrite = useCanWrite();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const page = Math.max(0, Number(params.get('page') ?? 0) || 0);
  const [search, setSearch] = useState(q);
  const [reloads, setReloads] = useState(0);
  const users = useResource((signal) => usersApi.list(q, page, PAGE_SIZE, signal), `${q}|${page}|${reloads}`);
  const [selected, setSelected] = useState<string[]>([]);
  const shown = users.data?.content.map((u) => u.username) ?? [];
  const allShownSelected = shown.length > 0 && shown.every((u) => selected.includes(u));

  function toggle(username: string, on: boolean) {
    setSelected((current) => (on ? [...current.filter((u) => u !== username), username] : current.filter((u) => u !== username)));
  }

  function reload() {
    setReloads((n) => n + 1);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setParams(search.trim() ? { q: search.trim() } : {});
  }

  return (
    <section aria-labelledby="users-title">
      <div className="page-head">
        <h1 id="users-title">Users</h1>
        {canWrite && <Link className="button primary" to="/users/new">New user</Link>}
      </div>
      {canWrite && <CsvImport onImported={reload} />}
      <form className="toolbar" role="search" onSubmit={submit}>
        <label htmlFor="user-search">Search by name</label>
        <input id="user-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="part of a username" />
        <button type="submit">Search</button>
      </form>
      <ErrorAlert error={users.error} />
      {users.data && users.data.content.length === 0 && <p className="muted">{q ? `No user matches “${q}”.` : 'No users yet.'}</p>}
      {users.data && users.data.content.length > 0 && (
        <>
          {canWrite && <SelectionActions selected={selected} onDone={() => { setSelected([]); reload(); }} />}
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  {canWrite && (
                    <th scope="col">
                      <input type="checkbox" aria-label="Select all users on this page" checked={allShownSelected}
                        onChange={(e) => setSelected(e.target.checked ? [...new Set([...selected, ...shown])] : selected.filter((u) => !shown.includes(u)))} />
                    </th>
                  )}
                  <th scope="col">Username</th><th scope="col">Status</th><th scope="col">Storage</th>
                  <th scope="col">Usage</th><th scope="col">Keys</th><th scope="col">Expires</th>
                </tr>
              </thead>
              <tbody>
                {users.data.content.map((u) => (
                  <tr key={u.username}>
                    {canWrite && (
                      <td>
                        <input type="checkbox" aria-label={`Select ${u.username}`} checked={selected.includes(u.username)}
                          onChange={(e) => toggle(u.username, e.target.checked)} />
                      </td>
                    )}
                    <th scope="row"><Link to={`/users/${encodeURIComponent(u.username)}`}>{u.username}</Link></th>
                    <td>
                      {u.enabled ? 'enabled' : <span className="badge off">disabled</span>}
                      {u.source && u.source !== 'local' && <> <span className="badge" title={sourceLabel(u.source)}>{u.source}</span></>}
                    </td>
                    <td>{u.storage?.type === 's3' ? `s3 ${u.storage.bucket ?? ''}` : 'local'}</td>
                    <td><UsageMeter label={`Storage of ${u.username}`} used={u.usage?.usedBytes ?? 0} max={u.quota?.maxBytes ?? 0} /></td>
                    <td><Link to={`/users/${encodeURIComponent(u.username)}/keys`}>{u.publicKeys.length} key{u.publicKeys.length === 1 ? '' : 's'}</Link></td>
                    <td>{u.expiresAt ? formatTime(u.expiresAt) : 'never'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager label="Users pages" page={page} size={PAGE_SIZE} total={users.data.totalElements}
            onPage={(p) => setParams({ ...(q ? { q } : {}), page: String(p) })} />
        </>
      )}
    </section>
  );
}
