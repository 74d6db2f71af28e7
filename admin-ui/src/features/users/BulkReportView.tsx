import type { BulkReport } from './api';

/** What an import or bulk action did: the counts, then every failed row or name with its reason. */
export function BulkReportView({ report, what }: { report: BulkReport; what: string }) {
  const failures = report.results.filter((r) => r.status === 'failed');
  return (
    <div role="status" className={failures.length ? 'alert info' : 'alert success'}>
      <p>{report.succeeded} {what}, {report.failed} failed.</p>
      {failures.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption>Failed</caption>
            <thead><tr><th scope="col">Row</th><th scope="col">Username</th><th scope="col">Field</th><th scope="col">Reason</th></tr></thead>
            <tbody>
              {failures.map((f) => (
                <tr key={f.row}><td>{f.row}</td><td>{f.username ?? ''}</td><td>{f.field ?? ''}</td><td>{f.message ?? ''}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
