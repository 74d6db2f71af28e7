import { api } from '../../lib/api';

export interface Key {
  id: number;
  type: string;
  publicKey: string;
  comment: string | null;
  fingerprint: string;
  createdAt: string;
}

const path = (username: string) => `/api/v1/users/${encodeURIComponent(username)}/keys`;

export const keysApi = {
  list: (username: string, signal?: AbortSignal) => api.get<Key[]>(path(username), signal),
  add: (username: string, publicKey: string) => api.post<Key>(path(username), { publicKey }),
  remove: (username: string, id: number) => api.delete(`${path(username)}/${id}`),
};
