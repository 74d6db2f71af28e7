import { useEffect, useRef } from 'react';
import { formatBytes, formatDuration, formatTime } from '../../lib/format';
import type { AuditRecord } from './api';

/** Every field of one record, in a modal dialog (Escape or Close returns to the list). */
export function AuditDetail({ record, onClose }: { record?: AuditRecord; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (record && !dialog.open) dialog.showModal?.();
    if (!record && dialog.open) dialog.close?.();
  }, [record]);
  const rows: [string, string | null][] = record ? [
    ['Id', String(record.id)],
    ['Time', `${formatTime(record.timestamp)} (${record.timestamp})`],
    ['Type', record.type],
    ['User', record.username],
    ['From', record.remoteAddress],
    ['Session', record.sessionId],
    ['Path', record.path],
    ['Target path', record.targetPath],
    ['Bytes', record.bytes === null ? null : `${formatBytes(record.bytes)} (${record.bytes} bytes)`],
    ['Duration', record.durationMs === null ? null : formatDuration(record.durationMs)],
    ['SHA-256', record.sha256],
    ['Key fingerprint', record.keyFingerprint],
    ['Client', record.clientVersion],
    ['Status', record.status],
    ['Detail', record.detail],
    ['ETag', record.etag],
    ['Version', record.versionId],
  ] : [];
  return (
    <dialog ref={ref} className="dialog wide" aria-labelledby="audit-detail-title" onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2 id="audit-detail-title">Audit record {record?.id}</h2>
      <dl className="details">
        {rows.filter(([, v]) => v !== null && v !== '').map(([k, v]) => (
          <div key={k}><dt>{k}</dt><dd className={k === 'SHA-256' || k === 'Key fingerprint' ? 'mono' : undefined}>{v}</dd></div>
        ))}
      </dl>
      <div className="actions"><button type="button" onClick={onClose} autoFocus>Close</button></div>
    </dialog>
  );
}
