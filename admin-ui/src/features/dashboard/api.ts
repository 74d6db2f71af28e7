import { api, query } from '../../lib/api';
import type { Schemas } from '../../lib/api-types';

export type AuditStats = Schemas['AuditStats'];

export function fetchStats(bucket: 'hour' | 'day', signal?: AbortSignal): Promise<AuditStats> {
  return api.get<AuditStats>(`/api/v1/audit/stats${query({ bucket })}`, signal);
}
