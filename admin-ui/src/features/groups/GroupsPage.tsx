import { Link } from 'react-router';
import { useCanWrite } from '../../auth/session';
import { ErrorAlert } from '../../components/Alert';
import { formatBytes } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { groupsApi } from './api';

/** /groups: the groups, how many users each has, and what they set. */
export function GroupsPage() {
  const canWrite = useCanWrite();
  const groups = useResource((signal) => groupsApi.list(signal), 'groups');
  return (
    <section aria-labelledby="groups-title">
      <div className="page-head">
        <h1 id="groups-title">Groups</h1>
        {canWrite && <div className="actions"><Link className="button primary" to="/groups/new">New group</Link></div>}
      </div>
      <p className="muted">A group’s settings apply to its members where the member sets none: a user’s own value wins, then the
        first of the user’s groups that sets it. Permissions combine per path. A user’s page shows what is in force and where it comes from.</p>
      <ErrorAlert error={groups.error} />
      {groups.data && groups.data.length === 0 && <p className="muted">No groups yet.</p>}
      {groups.data && groups.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Members</th><th scope="col">Quota</th><th scope="col">Max sessions</th><th scope="col">Paths</th></tr>
            </thead>
            <tbody>
              {groups.data.map((g) => (
                <tr key={g.name}>
                  <th scope="row"><Link to={`/groups/${encodeURIComponent(g.name)}`}>{g.name}</Link></th>
                  <td>{g.members}</td>
                  <td>{quota(g.quota?.maxBytes ?? 0, g.quota?.maxFiles ?? 0)}</td>
                  <td>{g.maxSessions ? g.maxSessions : <span className="muted">not set</span>}</td>
                  <td className="wrap">{Object.keys(g.permissions ?? {}).map((p) => <code key={p}>{p} </code>)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function quota(bytes: number, files: number) {
  const parts = [bytes ? formatBytes(bytes) : '', files ? `${files} files` : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : <span className="muted">not set</span>;
}
