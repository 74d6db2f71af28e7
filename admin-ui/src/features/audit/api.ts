import { api, query, type Page } from '../../lib/api';

export const AUDIT_TYPES = ['LOGIN', 'LOGIN_FAILED', 'LOGOUT', 'UPLOAD', 'DOWNLOAD', 'DELETE', 'RENAME', 'MKDIR', 'RMDIR',
  'SETSTAT', 'SYMLINK', 'DENIED', 'ADMIN'] as const;

export interface AuditRecord {
  id: number;
  timestamp: string;
  type: string;
  username: string | null;
  remoteAddress: string | null;
  sessionId: string | null;
  path: string | null;
  targetPath: string | null;
  bytes: number | null;
  durationMs: number | null;
  sha256: string | null;
  status: string;
  detail: string | null;
  keyFingerprint: string | null;
  clientVersion: string | null;
  etag: string | null;
  versionId: string | null;
}

export interface ChainVerification {
  valid: boolean;
  checkedRecords: number;
  firstInvalidId: number | null;
  reason: string | null;
}

export interface AuditFilters {
  username?: string;
  type?: string;
  from?: string;
  to?: string;
  path?: string;
}

export const auditApi = {
  search: (filters: AuditFilters, page: number, size: number, signal?: AbortSignal) =>
    api.get<Page<AuditRecord>>(`/api/v1/audit${query({ ...filters, page, size })}`, signal),
  exportCsv: (filters: AuditFilters) => api.blob(`/api/v1/audit${query({ ...filters })}`, 'text/csv'),
  verify: (signal?: AbortSignal) => api.get<ChainVerification>('/api/v1/audit/verify', signal),
};
