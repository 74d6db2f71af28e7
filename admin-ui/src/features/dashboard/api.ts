import { api, query } from '../../lib/api';

export interface Counts {
  start: string | null;
  uploads: number;
  downloads: number;
  bytesIn: number;
  bytesOut: number;
  logins: number;
  failedLogins: number;
}

export interface UserActivity {
  username: string;
  uploads: number;
  downloads: number;
  bytesIn: number;
  bytesOut: number;
}

export interface AuditStats {
  from: string;
  to: string;
  bucket: 'HOUR' | 'DAY';
  buckets: Counts[];
  totals: Counts;
  busiestUsers: UserActivity[];
}

export function fetchStats(bucket: 'hour' | 'day', signal?: AbortSignal): Promise<AuditStats> {
  return api.get<AuditStats>(`/api/v1/audit/stats${query({ bucket })}`, signal);
}
