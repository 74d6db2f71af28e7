import { api } from '../../lib/api';

export interface LiveSession {
  id: string;
  username: string;
  remoteAddress: string;
  startedAt: string;
  bytesIn: number;
  bytesOut: number;
  currentTransfer: string | null;
  clientVersion: string | null;
  keyFingerprint: string | null;
  instance: string | null;
}

export function fetchSessions(signal?: AbortSignal): Promise<LiveSession[]> {
  return api.get<LiveSession[]>('/api/v1/sessions', signal);
}

export function disconnectSession(id: string): Promise<void> {
  return api.delete(`/api/v1/sessions/${encodeURIComponent(id)}`);
}
