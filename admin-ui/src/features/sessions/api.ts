import { api } from '../../lib/api';
import type { Schemas } from '../../lib/api-types';

export type LiveSession = Schemas['LiveSession'];

export function fetchSessions(signal?: AbortSignal): Promise<LiveSession[]> {
  return api.get<LiveSession[]>('/api/v1/sessions', signal);
}

export function disconnectSession(id: string): Promise<void> {
  return api.delete(`/api/v1/sessions/${encodeURIComponent(id)}`);
}
