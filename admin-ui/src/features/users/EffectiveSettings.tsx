import { formatBytes } from '../../lib/format';
import type { User } from './api';

type Effective = NonNullable<User['effective']>;
type Sourced = { value?: unknown; source?: string };

/**
 * What is in force for a user, each value with where it comes from: the user itself, one of its
 * groups (several for a path the groups share), or the default. The server combines them
 * (groups.EffectiveSettings); this only shows its answer.
 */
export function EffectiveSettings({ effective }: { effective: Effective }) {
  const rows: { setting: string; shown: string; source: string }[] = [];
  for (const [path, sourced] of Object.entries(effective.permissions ?? {})) {
    rows.push({ setting: `permissions ${path}`, shown: ((sourced.value as string[] | undefined) ?? []).join(', ') || 'none', source: sourced.source ?? '' });
  }
  const add = (setting: string, sourced: Sourced | undefined, show: (v: unknown) => string) =>
    rows.push({ setting, shown: show(sourced?.value), source: sourced?.source ?? '' });
  const limit = (v: unknown) => (Number(v) ? String(v) : 'no limit');
  const bytes = (suffix = '') => (v: unknown) => (Number(v) ? `${formatBytes(Number(v))}${suffix}` : 'no limit');
  add('quota (bytes)', effective.quota?.maxBytes, bytes());
  add('quota (files)', effective.quota?.maxFiles, limit);
  add('allowed IP addresses', effective.allowedIps, (v) => ((v as string[] | undefined) ?? []).join(', ') || 'any');
  add('max sessions', effective.maxSessions, limit);
  add('upload bandwidth', effective.bandwidth?.uploadBytesPerSecond, bytes('/s'));
  add('download bandwidth', effective.bandwidth?.downloadBytesPerSecond, bytes('/s'));
  return (
    <section aria-labelledby="effective-title" className="effective">
      <h2 id="effective-title">Effective settings</h2>
      <p className="muted">In force at the next login (open sessions within seconds): the user’s own value, else the first of its groups that sets it,
        else the default; permissions combine per path.</p>
      <div className="table-wrap">
        <table>
          <thead><tr><th scope="col">Setting</th><th scope="col">In force</th><th scope="col">From</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.setting}>
                <th scope="row">{r.setting}</th>
                <td className="wrap">{r.shown}</td>
                <td>{r.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
