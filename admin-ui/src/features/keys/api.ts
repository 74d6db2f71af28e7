import { api } from '../../lib/api';
import type { Schemas } from '../../lib/api-types';

export type Key = Schemas['KeyView'];

const path = (username: string) => `/api/v1/users/${encodeURIComponent(username)}/keys`;

export const keysApi = {
  list: (username: string, signal?: AbortSignal) => api.get<Key[]>(path(username), signal),
  add: (username: string, publicKey: string, label: string | null = null, expiresAt: string | null = null) =>
    api.post<Key>(path(username), { publicKey, label, expiresAt }),
  remove: (username: string, id: number) => api.delete(`${path(username)}/${id}`),
};
