import { useState } from 'react';
import { ErrorAlert } from '../../components/Alert';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { usersApi, type BulkAction, type BulkReport } from './api';
import { BulkReportView } from './BulkReportView';

const DONE: Record<BulkAction, string> = { enable: 'enabled', disable: 'disabled', delete: 'deleted' };

/** Enable, disable or delete the selected users in one request; deleting asks first. Shows what failed and why. */
export function SelectionActions({ selected, onDone }: { selected: string[]; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [purge, setPurge] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [report, setReport] = useState<{ action: BulkAction; report: BulkReport } | null>(null);

  async function run(action: BulkAction) {
    setBusy(true);
    setError(null);
    try {
      setReport({ action, report: await usersApi.bulk(action, selected, action === 'delete' && purge) });
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      setConfirmDelete(false);
      setPurge(false);
    }
  }

  const none = selected.length === 0 || busy;
  return (
    <>
      <div className="toolbar" role="group" aria-label="Selected users">
        <p>{selected.length} selected</p>
        <button type="button" disabled={none} onClick={() => void run('disable')}>Disable</button>
        <button type="button" disabled={none} onClick={() => void run('enable')}>Enable</button>
        <button type="button" className="danger" disabled={none} onClick={() => setConfirmDelete(true)}>Delete…</button>
      </div>
      <ErrorAlert error={error} />
      {report && <BulkReportView report={report.report} what={DONE[report.action]} />}
      <ConfirmDialog open={confirmDelete} title={`Delete ${selected.length} users?`} confirmLabel="Delete users" busy={busy}
        onConfirm={() => void run('delete')} onCancel={() => setConfirmDelete(false)}>
        <p>Their sessions end and they can no longer log in. Their files are kept unless you also remove them.</p>
        <label className="checkbox">
          <input type="checkbox" checked={purge} onChange={(e) => setPurge(e.target.checked)} /> Also delete their files
        </label>
      </ConfirmDialog>
    </>
  );
}
