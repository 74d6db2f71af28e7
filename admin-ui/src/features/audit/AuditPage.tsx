import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { ErrorAlert } from '../../components/Alert';
import { Field, TextField } from '../../components/fields';
import { Pager } from '../../components/Pager';
import { formatBytes, formatTime } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { AUDIT_TYPES, auditApi, type AuditRecord } from './api';
import { AuditDetail } from './AuditDetail';
import { ChainStatus } from './ChainStatus';
import { filtersFromParams, formFromFilters, paramsFromForm, validateFilters, type FilterForm } from './filters';

const PAGE_SIZE = 50;

export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const page = Math.max(0, Number(params.get('page') ?? 0) || 0);
  const key = params.toString();
  const records = useResource((signal) => auditApi.search(filters, page, PAGE_SIZE, signal), key);
  const [form, setForm] = useState<FilterForm>(() => formFromFilters(filters));
  const [errors, setErrors] = useState<Partial<Record<keyof FilterForm, string>>>({});
  const [selected, setSelected] = useState<AuditRecord>();
  const [exportError, setExportError] = useState<unknown>();
  const [exporting, setExporting] = useState(false);
  const set = (k: keyof FilterForm) => (v: string) => setForm((f) => ({ ...f, [k]: v }));

  function apply(event: FormEvent) {
    event.preventDefault();
    const found = validateFilters(form);
    setErrors(found);
    if (Object.keys(found).length === 0) setParams(paramsFromForm(form));
  }

  function reset() {
    setForm({ username: '', type: '', from: '', to: '', path: '' });
    setErrors({});
    setParams({});
  }

  async function exportCsv() {
    setExporting(true);
    setExportError(undefined);
    try {
      const blob = await auditApi.exportCsv(filters);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = 'ferry-audit.csv';
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setExportError(e);
    } finally {
      setExporting(false);
    }
  }

  // Server-side field errors (e.g. an unknown type in a hand-edited URL) are shown by the filter they concern.
  const serverErrors = records.error && 'fieldErrors' in records.error ? (records.error as { fieldErrors: Record<string, string> }).fieldErrors : {};
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit</h1>
      <ChainStatus />
      <form className="filters card" onSubmit={apply} noValidate aria-label="Audit filters">
        <TextField label="User" name="username" value={form.username} onChange={set('username')} error={errors.username ?? serverErrors.username} />
        <Field label="Type" error={serverErrors.type}>
          {({ id, describedBy }) => (
            <select id={id} name="type" value={form.type} onChange={(e) => set('type')(e.target.value)} aria-describedby={describedBy}>
              <option value="">any</option>
              {AUDIT_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          )}
        </Field>
        <TextField label="From" name="from" type="datetime-local" value={form.from} onChange={set('from')} error={errors.from ?? serverErrors.from} />
        <TextField label="To" name="to" type="datetime-local" value={form.to} onChange={set('to')} error={errors.to ?? serverErrors.to} />
        <TextField label="Path contains" name="path" value={form.path} onChange={set('path')} error={serverErrors.path} />
        <div className="actions">
          <button type="submit" className="primary">Search</button>
          <button type="button" onClick={reset}>Clear</button>
          <button type="button" onClick={() => void exportCsv()} disabled={exporting}>{exporting ? 'Exporting…' : 'Export CSV'}</button>
        </div>
      </form>
      <ErrorAlert error={Object.keys(serverErrors).length > 0 ? undefined : records.error} />
      <ErrorAlert error={exportError} />
      {records.data && records.data.content.length === 0 && <p className="muted">No records match these filters.</p>}
      {records.data && records.data.content.length > 0 && (
        <>
          <div className="table-wrap">
            <table className="audit">
              <thead>
                <tr>
                  <th scope="col">Time</th><th scope="col">Type</th><th scope="col">User</th><th scope="col">Path</th>
                  <th scope="col">Bytes</th><th scope="col">Status</th><th scope="col"><span className="visually-hidden">Details</span></th>
                </tr>
              </thead>
              <tbody>
                {records.data.content.map((r) => (
                  <tr key={r.id} className={r.status === 'OK' ? undefined : 'failed'}>
                    <td>{formatTime(r.timestamp)}</td>
                    <td><span className={`badge type-${r.type.toLowerCase()}`}>{r.type}</span></td>
                    <td>{r.username ?? '—'}</td>
                    <td className="wrap">{r.path ?? '—'}{r.targetPath ? ` → ${r.targetPath}` : ''}</td>
                    <td>{r.bytes === null ? '—' : formatBytes(r.bytes)}</td>
                    <td className="wrap">{r.status}</td>
                    <td><button type="button" className="link" onClick={() => setSelected(r)} aria-label={`Details of record ${r.id}`}>Details</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager label="Audit pages" page={page} size={PAGE_SIZE} total={records.data.totalElements}
            onPage={(p) => setParams({ ...Object.fromEntries(params), page: String(p) })} />
        </>
      )}
      <AuditDetail record={selected} onClose={() => setSelected(undefined)} />
    </section>
  );
}
