import { useState } from 'react';
import { ErrorAlert } from '../../components/Alert';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { retentionApi, type RetentionReport, type RetentionRule } from './api';
import { ReportView } from './ReportView';
import { describeRule } from './retentionForm';

/**
 * "Preview" (a dry run anyone may ask for) and, for ADMINs, "Run now" behind a confirmation, of the rule as saved;
 * the last answer is shown below them.
 */
export function RuleReports({ rule, canRun }: { rule: RetentionRule; canRun: boolean }) {
  const [report, setReport] = useState<RetentionReport>();
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [confirmRun, setConfirmRun] = useState(false);

  async function ask(call: () => Promise<RetentionReport>) {
    setBusy(true);
    setFailure(undefined);
    setReport(undefined);
    try {
      setReport(await call());
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(false);
      setConfirmRun(false);
    }
  }

  return (
    <section aria-labelledby="reports-title">
      <h2 id="reports-title">What it deletes now</h2>
      <p className="muted">For the rule as saved, enabled or not.</p>
      <div className="actions">
        <button type="button" onClick={() => void ask(() => retentionApi.preview(rule.id))} disabled={busy}>Preview</button>
        {canRun && <button type="button" className="danger" onClick={() => setConfirmRun(true)} disabled={busy}>Run now</button>}
        {busy && <span aria-live="polite">Working…</span>}
      </div>
      <ErrorAlert error={failure} />
      {report && <ReportView report={report} />}
      {canRun && (
        <ConfirmDialog open={confirmRun} title={`Run ${rule.name} now?`} confirmLabel="Delete files now" busy={busy}
          onConfirm={() => void ask(() => retentionApi.run(rule.id))} onCancel={() => setConfirmRun(false)}>
          <p>Deletes {describeRule(rule)} now, each deletion audited. Preview first to see what that is.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
