import { useState } from 'react';
import { Link } from 'react-router';
import { useCanWrite } from '../../auth/session';
import { ErrorAlert, Notice } from '../../components/Alert';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Checkbox } from '../../components/fields';
import { formatBytes, formatSince, formatTime } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { disconnectSession, fetchSessions, type LiveSession } from './api';

const REFRESH_MS = 2_000;

export function SessionsPage() {
  const canWrite = useCanWrite();
  const [live, setLive] = useState(true);
  const sessions = useResource((signal) => fetchSessions(signal), 'sessions', live ? REFRESH_MS : undefined);
  const [target, setTarget] = useState<LiveSession>();
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();

  async function disconnect() {
    if (!target) return;
    setBusy(true);
    try {
      await disconnectSession(target.id);
      setNotice(`Session ${target.id} of ${target.username} is being disconnected (within 5 seconds).`);
      setActionError(undefined);
      sessions.reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
      setTarget(undefined);
    }
  }

  const list = sessions.data ?? [];
  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">Sessions</h1>
      <div className="toolbar">
        <p aria-live="polite">{sessions.data ? `${list.length} live session${list.length === 1 ? '' : 's'}` : 'Loading…'}</p>
        <Checkbox label={`Refresh every ${REFRESH_MS / 1000} s`} name="live" checked={live} onChange={setLive} />
        <button type="button" onClick={sessions.reload}>Refresh now</button>
      </div>
      <ErrorAlert error={sessions.error ?? actionError} />
      {notice && <Notice>{notice}</Notice>}
      {list.length === 0 && sessions.data && <p className="muted">No SFTP session is open.</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">User</th><th scope="col">From</th><th scope="col">Started</th><th scope="col">In</th>
                <th scope="col">Out</th><th scope="col">Transfer</th><th scope="col">Client</th><th scope="col">Session</th>
                {canWrite && <th scope="col"><span className="visually-hidden">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id}>
                  <th scope="row"><Link to={`/users/${encodeURIComponent(s.username)}`}>{s.username}</Link></th>
                  <td>{s.remoteAddress}</td>
                  <td><span title={formatTime(s.startedAt)}>{formatSince(s.startedAt)} ago</span></td>
                  <td>{formatBytes(s.bytesIn)}</td>
                  <td>{formatBytes(s.bytesOut)}</td>
                  <td className="wrap">{s.currentTransfer ?? '—'}</td>
                  <td className="wrap">{s.clientVersion ?? '—'}</td>
                  <td><code>{s.id}</code></td>
                  {canWrite && (
                    <td>
                      <button type="button" className="danger" onClick={() => setTarget(s)}
                        aria-label={`Disconnect ${s.username} (session ${s.id})`}>Disconnect</button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog open={Boolean(target)} title="Disconnect this session?" confirmLabel="Disconnect" busy={busy}
        onConfirm={() => void disconnect()} onCancel={() => setTarget(undefined)}>
        <p>{target ? `${target.username} from ${target.remoteAddress} is disconnected; a transfer in progress is interrupted.` : ''}</p>
      </ConfirmDialog>
    </section>
  );
}
