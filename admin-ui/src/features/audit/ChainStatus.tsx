import { formatCount } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { auditApi } from './api';

/** The result of walking the audit trail's hash chain (GET /api/v1/audit/verify). */
export function ChainStatus() {
  const check = useResource((signal) => auditApi.verify(signal), 'verify');
  let text: string;
  let tone: string;
  if (check.loading) {
    text = 'Verifying the hash chain…';
    tone = 'info';
  } else if (check.error) {
    text = `The chain could not be verified: ${check.error.message}`;
    tone = 'error';
  } else if (check.data?.valid) {
    text = `Hash chain intact: ${formatCount(check.data.checkedRecords)} records verified.`;
    tone = 'success';
  } else {
    text = `Hash chain broken: ${check.data?.reason ?? 'unknown reason'}`;
    tone = 'error';
  }
  return (
    <div className={`alert ${tone} chain`} role="status">
      <span>{text}</span>
      <button type="button" onClick={check.reload} disabled={check.loading}>Verify again</button>
    </div>
  );
}
