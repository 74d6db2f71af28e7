import { Link } from 'react-router';
import { useCanWrite } from '../../auth/session';
import { ErrorAlert } from '../../components/Alert';
import { useResource } from '../../lib/useResource';
import { eventsApi } from './api';
import { describeAction, describeFilters } from './ruleForm';

/** /events: the event rules, what each matches and where it delivers (no secrets: the API never shows them). */
export function EventRulesPage() {
  const canWrite = useCanWrite();
  const rules = useResource((signal) => eventsApi.rules(signal), 'rules');
  return (
    <section aria-labelledby="events-title">
      <div className="page-head">
        <h1 id="events-title">Event rules</h1>
        <div className="actions">
          <Link className="button" to="/events/deliveries">All deliveries</Link>
          {canWrite && <Link className="button primary" to="/events/new">New rule</Link>}
        </div>
      </div>
      <p className="muted">Every confirmed action a rule matches is delivered at least once, in order per file, to its webhooks and Kafka topics.</p>
      <ErrorAlert error={rules.error} />
      {rules.data && rules.data.length === 0 && <p className="muted">No event rules yet.</p>}
      {rules.data && rules.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col">Status</th><th scope="col">Events</th><th scope="col">Filters</th>
                <th scope="col">Actions</th><th scope="col"><span className="visually-hidden">Deliveries</span></th>
              </tr>
            </thead>
            <tbody>
              {rules.data.map((r) => (
                <tr key={r.id}>
                  <th scope="row"><Link to={`/events/${r.id}`}>{r.name}</Link></th>
                  <td>{r.enabled ? 'enabled' : <span className="badge off">disabled</span>}</td>
                  <td className="wrap">{r.events.join(', ')}</td>
                  <td className="wrap">{describeFilters(r)}</td>
                  <td className="wrap">
                    <ul className="plain-list">{r.actions.map((a, i) => <li key={i}>{describeAction(a)}</li>)}</ul>
                  </td>
                  <td><Link to={`/events/deliveries?rule=${encodeURIComponent(r.name)}`} aria-label={`Deliveries of ${r.name}`}>Deliveries</Link></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
