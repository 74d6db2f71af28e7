import { Link } from 'react-router';
import { useCanWrite } from '../../auth/session';
import { ErrorAlert } from '../../components/Alert';
import { useResource } from '../../lib/useResource';
import { retentionApi } from './api';

/** /retention: the retention rules, what each deletes and from whom. */
export function RetentionRulesPage() {
  const canWrite = useCanWrite();
  const rules = useResource((signal) => retentionApi.rules(signal), 'rules');
  return (
    <section aria-labelledby="retention-title">
      <div className="page-head">
        <h1 id="retention-title">Retention rules</h1>
        {canWrite && <div className="actions"><Link className="button primary" to="/retention/new">New rule</Link></div>}
      </div>
      <p className="muted">Enabled rules delete files older than their number of days, every hour, each deletion audited as DELETE by the system.
        A rule’s page previews what it would delete now.</p>
      <ErrorAlert error={rules.error} />
      {rules.data && rules.data.length === 0 && <p className="muted">No retention rules yet.</p>}
      {rules.data && rules.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Path</th><th scope="col">User</th><th scope="col">Older than</th></tr>
            </thead>
            <tbody>
              {rules.data.map((r) => (
                <tr key={r.id}>
                  <th scope="row"><Link to={`/retention/${r.id}`}>{r.name}</Link></th>
                  <td>{r.enabled ? 'enabled' : <span className="badge off">disabled</span>}</td>
                  <td className="wrap"><code>{r.path}</code></td>
                  <td>{r.username ?? <span className="muted">every user</span>}</td>
                  <td>{r.days} {r.days === 1 ? 'day' : 'days'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
