import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useCanWrite } from '../../auth/session';
import { ErrorAlert, Notice } from '../../components/Alert';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Checkbox } from '../../components/fields';
import { Pager } from '../../components/Pager';
import { formatDuration, formatTime } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { DELIVERY_STATUSES, eventsApi, type Delivery } from './api';

const PAGE_SIZE = 50;
const REFRESH_MS = 5_000;

/**
 * /events/deliveries[?rule=&status=]: the outbox's history, per rule or all, newest first: what was
 * delivered (and how fast), what is pending, what is dead and why; dead and pending ones retried one
 * by one, or every dead one at once.
 */
export function DeliveriesPage() {
  const canWrite = useCanWrite();
  const [params, setParams] = useSearchParams();
  const rule = params.get('rule') ?? '';
  const status = params.get('status') ?? '';
  const page = Math.max(0, Number(params.get('page') ?? 0) || 0);
  const [live, setLive] = useState(false);
  const rules = useResource((signal) => eventsApi.rules(signal), 'rules');
  const key = `${rule}|${status}|${page}`;
  // each answer carries the filters it is for: while another rule's or status's page loads, the old rows are not shown under the new heading
  const loaded = useResource((signal) => eventsApi.deliveries(rule, status, page, PAGE_SIZE, signal).then((answer) => ({ key, answer })), key,
    live ? REFRESH_MS : undefined);
  const deliveries = { ...loaded, data: loaded.data?.key === key ? loaded.data.answer : undefined };
  const [busy, setBusy] = useState(false);
  const [confirmAll, setConfirmAll] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();

  const filter = (changes: Record<string, string>) => {
    const next = { rule, status, ...changes };
    setParams(Object.fromEntries(Object.entries(next).filter(([, v]) => v)));
  };

  async function retry(delivery: Delivery) {
    setBusy(true);
    setNotice(undefined);
    try {
      await eventsApi.retry(delivery.id);
      setNotice(`Delivery ${delivery.id} (event ${delivery.eventId}) is queued to be sent now.`);
      setActionError(undefined);
      deliveries.reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  }

  async function retryAllDead() {
    setBusy(true);
    setNotice(undefined);
    try {
      const { retried } = await eventsApi.retryAllDead(rule);
      setNotice(`${retried} dead deliver${retried === 1 ? 'y is' : 'ies are'} queued to be sent again.`);
      setActionError(undefined);
      deliveries.reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
      setConfirmAll(false);
    }
  }

  const list = deliveries.data?.content ?? [];
  const knownRule = !rule || (rules.data ?? []).some((r) => r.name === rule || String(r.id) === rule);
  return (
    <section aria-labelledby="deliveries-title">
      <div className="page-head">
        <h1 id="deliveries-title">{rule ? `Deliveries of ${rule}` : 'Deliveries'}</h1>
        {canWrite && <button type="button" className="danger" onClick={() => setConfirmAll(true)} disabled={busy}>Retry all dead</button>}
      </div>
      <p><Link to="/events">← Event rules</Link></p>
      <div className="toolbar">
        <label htmlFor="delivery-rule">Rule</label>
        <select id="delivery-rule" value={rule} onChange={(e) => filter({ rule: e.target.value })}>
          <option value="">All rules</option>
          {!knownRule && <option value={rule}>{rule}</option>}
          {(rules.data ?? []).map((r) => <option key={r.id} value={r.name}>{r.name}</option>)}
        </select>
        <label htmlFor="delivery-status">Status</label>
        <select id="delivery-status" value={status} onChange={(e) => filter({ status: e.target.value })}>
          <option value="">Any</option>
          {DELIVERY_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <Checkbox label={`Refresh every ${REFRESH_MS / 1000} s`} name="live" checked={live} onChange={setLive} />
        <button type="button" onClick={deliveries.reload}>Refresh now</button>
      </div>
      <ErrorAlert error={deliveries.error ?? actionError} />
      {notice && <Notice>{notice}</Notice>}
      {deliveries.data && list.length === 0 && <p className="muted">No deliveries{status ? ` with status ${status}` : ''}.</p>}
      {list.length > 0 && deliveries.data && (
        <>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Event</th>{!rule && <th scope="col">Rule</th>}<th scope="col">Action</th><th scope="col">Type</th>
                  <th scope="col">Path</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last HTTP status</th>
                  <th scope="col">Last error</th><th scope="col">Created</th><th scope="col">Delivered / next attempt</th>
                  {canWrite && <th scope="col"><span className="visually-hidden">Retry</span></th>}
                </tr>
              </thead>
              <tbody>
                {list.map((d) => (
                  <tr key={d.id} className={d.status === 'dead' ? 'failed' : undefined}>
                    <th scope="row"><code>{d.eventId}</code></th>
                    {!rule && <td><Link to={`/events/deliveries?rule=${encodeURIComponent(d.rule)}`}>{d.rule}</Link></td>}
                    <td>{d.actionIndex + 1}: {d.action}</td>
                    <td><span className={`badge type-${d.eventType.toLowerCase()}`}>{d.eventType}</span></td>
                    <td className="wrap"><code>{d.path ?? '—'}</code></td>
                    <td><span className={`badge status-${d.status}`}>{d.status}</span></td>
                    <td>{d.attempts}</td>
                    <td>{d.lastStatus ?? '—'}</td>
                    <td className="wrap">{d.lastError ?? '—'}</td>
                    <td>{formatTime(d.createdAt)}</td>
                    <td>{d.status === 'delivered' ? `${formatTime(d.deliveredAt)} (${formatDuration(d.latencyMs)})`
                      : d.status === 'pending' ? `next ${formatTime(d.nextAttemptAt)}` : '—'}</td>
                    {canWrite && (
                      <td>
                        {d.status !== 'delivered' && (
                          <button type="button" onClick={() => void retry(d)} disabled={busy}
                            aria-label={`Retry delivery ${d.id} of event ${d.eventId}`}>Retry</button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager label="Deliveries pages" page={page} size={PAGE_SIZE} total={deliveries.data.totalElements}
            onPage={(p) => filter({ page: String(p) })} />
        </>
      )}
      <ConfirmDialog open={confirmAll} title="Retry all dead deliveries?" confirmLabel="Retry all dead" busy={busy}
        onConfirm={() => void retryAllDead()} onCancel={() => setConfirmAll(false)}>
        <p>{rule ? `Every dead delivery of ${rule}` : 'Every dead delivery of every rule'} is sent again now, in order per file,
          with a fresh retry window. Receivers see the same event ids (Ferry-Event-Id) as before.</p>
      </ConfirmDialog>
    </section>
  );
}
