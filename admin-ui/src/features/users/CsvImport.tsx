import { useId, useState, type FormEvent } from 'react';
import { ErrorAlert } from '../../components/Alert';
import { usersApi, type BulkReport } from './api';
import { BulkReportView } from './BulkReportView';

/** Creates users from a CSV file (header username,publicKey,groups) and shows what failed, row by row. */
export function CsvImport({ onImported }: { onImported: () => void }) {
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [report, setReport] = useState<BulkReport | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(await usersApi.importCsv(await file.text()));
      onImported();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="card">
      <summary>Import users from CSV</summary>
      <form onSubmit={(e) => void submit(e)}>
        <p className="muted">
          The first line names the columns: <code>username</code> (required), <code>publicKey</code> (one OpenSSH key)
          and <code>groups</code> (names separated by <code>;</code>). Each row is created or reported with its reason.
        </p>
        <label htmlFor={inputId}>CSV file</label>
        <input id={inputId} type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        <button type="submit" className="primary" disabled={!file || busy}>{busy ? 'Importing…' : 'Import'}</button>
      </form>
      <ErrorAlert error={error} />
      {report && <BulkReportView report={report} what="created" />}
    </details>
  );
}
