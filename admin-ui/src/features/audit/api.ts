import { api, query } from '../../lib/api';
import { auditRecordTypeValues, type Schemas } from '../../lib/api-types';

/** The record types, from the server's enum through /v3/api-docs. */
export const AUDIT_TYPES = auditRecordTypeValues;

export type AuditRecord = Schemas['AuditRecord'];

export type ChainVerification = Schemas['ChainVerification'];

export interface AuditFilters {
  username?: string;
  type?: string;
  from?: string;
  to?: string;
  path?: string;
}

export const auditApi = {
  search: (filters: AuditFilters, page: number, size: number, signal?: AbortSignal) =>
    api.get<Schemas['AuditPage']>(`/api/v1/audit${query({ ...filters, page, size })}`, signal),
  exportCsv: (filters: AuditFilters) => api.blob(`/api/v1/audit${query({ ...filters })}`, 'text/csv'),
  verify: (signal?: AbortSignal) => api.get<ChainVerification>('/api/v1/audit/verify', signal),
};
