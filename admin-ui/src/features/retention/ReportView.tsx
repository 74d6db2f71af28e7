import { formatBytes, formatCount, formatTime } from '../../lib/format';
import type { RetentionReport } from './api';

/** A preview's or a run's report: the totals, the cut-off, then the first files (with who owns them) and what failed. */
export function ReportView({ report }: { report: RetentionReport }) {
  const verb = report.dryRun ? 'would be deleted' : 'deleted';
  const title = report.dryRun ? `Preview of ${report.rule}` : `Run of ${report.rule}`;
  return (
    <section className="card" aria-labelledby="report-title">
      <h2 id="report-title">{title}</h2>
      <p role="status">
        {formatCount(report.totalFiles)} {report.totalFiles === 1 ? 'file' : 'files'} ({formatBytes(report.totalBytes)}) {verb}:
        last modified before {formatTime(report.olderThan)}.
        {report.dryRun && ' Nothing was changed.'}
      </p>
      {report.skipped > 0 && <p>{formatCount(report.skipped)} changed or removed meanwhile, left alone.</p>}
      {report.files.length > 0 && (
        <>
          {report.truncated && <p className="muted">The first {formatCount(report.files.length)} of {formatCount(report.totalFiles)} are listed.</p>}
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Files that {verb}</caption>
              <thead><tr><th scope="col">User</th><th scope="col">Path</th><th scope="col">Size</th><th scope="col">Modified</th></tr></thead>
              <tbody>
                {report.files.map((f) => (
                  <tr key={`${f.username}:${f.path}`}>
                    <td>{f.username}</td><td className="wrap">{f.path}</td><td>{formatBytes(f.size)}</td><td>{formatTime(f.modifiedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {report.failures.length > 0 && (
        <div className="alert error">
          <p>{report.failures.length} {report.failures.length === 1 ? 'failure' : 'failures'} (the server log has each):</p>
          <ul className="plain-list">{report.failures.map((f) => <li key={f}>{f}</li>)}</ul>
        </div>
      )}
    </section>
  );
}
