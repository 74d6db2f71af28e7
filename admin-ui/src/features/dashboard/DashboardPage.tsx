import { Link } from 'react-router';
import { ErrorAlert } from '../../components/Alert';
import { BarChart } from '../../components/BarChart';
import { formatBucket, formatBytes, formatCount } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { fetchSessions } from '../sessions/api';
import { fetchStats, type AuditStats } from './api';

const REFRESH_MS = 15_000;

export function DashboardPage() {
  const day = useResource((signal) => fetchStats('hour', signal), 'hour', REFRESH_MS);
  const week = useResource((signal) => fetchStats('day', signal), 'day', REFRESH_MS);
  const sessions = useResource((signal) => fetchSessions(signal), 'sessions', REFRESH_MS);
  const totals = day.data?.totals;
  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Dashboard</h1>
      <ErrorAlert error={day.error ?? week.error ?? sessions.error} />
      <ul className="tiles" aria-label="Last 24 hours">
        <Tile label="Live sessions" value={sessions.data ? formatCount(sessions.data.length) : '…'} to="/sessions" />
        <Tile label="Uploads (24 h)" value={totals ? formatCount(totals.uploads) : '…'} />
        <Tile label="Downloads (24 h)" value={totals ? formatCount(totals.downloads) : '…'} />
        <Tile label="Bytes in (24 h)" value={totals ? formatBytes(totals.bytesIn) : '…'} />
        <Tile label="Bytes out (24 h)" value={totals ? formatBytes(totals.bytesOut) : '…'} />
        <Tile label="Failed logins (24 h)" value={totals ? formatCount(totals.failedLogins) : '…'}
          to="/audit?type=LOGIN_FAILED" warn={Boolean(totals && totals.failedLogins > 0)} />
      </ul>
      <div className="charts">
        {day.data && <TransfersChart title="Uploads and downloads per hour, last 24 hours" stats={day.data} bucket="hour" />}
        {week.data && <TransfersChart title="Uploads and downloads per day, last 7 days (UTC days)" stats={week.data} bucket="day" />}
        {day.data && <BytesChart title="Bytes in and out per hour, last 24 hours" stats={day.data} />}
        {week.data && <BusiestUsers stats={week.data} />}
      </div>
    </section>
  );
}

/** Counts on an axis: whole numbers, or one decimal for the half-way line of a small axis. */
function formatTick(value: number): string {
  return Number.isInteger(value) ? formatCount(value) : value.toFixed(1);
}

function Tile({ label, value, to, warn }: { label: string; value: string; to?: string; warn?: boolean }) {
  const body = (<><span className="tile-value">{value}</span><span className="tile-label">{label}</span></>);
  return <li className={`tile${warn ? ' warn' : ''}`}>{to ? <Link to={to}>{body}</Link> : body}</li>;
}

function TransfersChart({ title, stats, bucket }: { title: string; stats: AuditStats; bucket: 'hour' | 'day' }) {
  return (
    <BarChart title={title} format={formatTick}
      labels={stats.buckets.map((b) => formatBucket(b.start ?? '', bucket))}
      series={[
        { name: 'Uploads', className: 'series-up', values: stats.buckets.map((b) => b.uploads) },
        { name: 'Downloads', className: 'series-down', values: stats.buckets.map((b) => b.downloads) },
      ]} />
  );
}

function BytesChart({ title, stats }: { title: string; stats: AuditStats }) {
  return (
    <BarChart title={title} format={formatBytes}
      labels={stats.buckets.map((b) => formatBucket(b.start ?? '', 'hour'))}
      series={[
        { name: 'Bytes in', className: 'series-up', values: stats.buckets.map((b) => b.bytesIn) },
        { name: 'Bytes out', className: 'series-down', values: stats.buckets.map((b) => b.bytesOut) },
      ]} />
  );
}

function BusiestUsers({ stats }: { stats: AuditStats }) {
  return (
    <figure className="chart">
      <figcaption>Busiest users, last 7 days</figcaption>
      {stats.busiestUsers.length === 0 ? <p className="muted">No transfers yet.</p> : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr><th scope="col">User</th><th scope="col">Uploads</th><th scope="col">Downloads</th><th scope="col">In</th><th scope="col">Out</th></tr>
            </thead>
            <tbody>
              {stats.busiestUsers.map((u) => (
                <tr key={u.username}>
                  <th scope="row"><Link to={`/users/${encodeURIComponent(u.username)}`}>{u.username}</Link></th>
                  <td>{formatCount(u.uploads)}</td><td>{formatCount(u.downloads)}</td>
                  <td>{formatBytes(u.bytesIn)}</td><td>{formatBytes(u.bytesOut)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </figure>
  );
}
