import { api, query, type Page } from '../../lib/api';

export const PERMISSIONS = ['*', 'list', 'download', 'upload', 'overwrite', 'delete', 'rename', 'mkdir', 'rmdir', 'symlink', 'setstat'] as const;
export type PermissionName = (typeof PERMISSIONS)[number];

export interface Storage {
  type: 'local' | 's3';
  bucket?: string | null;
  prefix?: string | null;
}

/** A user as GET /api/v1/users/{username} answers it. */
export interface User {
  username: string;
  hasPassword: boolean;
  publicKeys: string[];
  enabled: boolean;
  expiresAt: string | null;
  storage: Storage;
  quota: { maxBytes: number | null; maxFiles: number | null } | null;
  permissions: Record<string, string[]>;
  allowedIps: string[];
  maxSessions: number;
  maxFileSize: number;
  bandwidth: { uploadBytesPerSecond: number | null; downloadBytesPerSecond: number | null } | null;
  usage: { usedBytes: number; usedFiles: number } | null;
  createdAt: string;
  updatedAt: string;
}

/** The body of POST and PUT: omitted password/publicKeys keep the current ones on PUT; password null removes it. */
export interface UserBody {
  username: string;
  password?: string | null;
  publicKeys?: string[];
  enabled: boolean;
  expiresAt: string | null;
  storage: Storage;
  quota: { maxBytes: number; maxFiles: number };
  permissions: Record<string, string[]>;
  allowedIps: string[];
  maxSessions: number;
  maxFileSize: number;
  bandwidth: { uploadBytesPerSecond: number; downloadBytesPerSecond: number };
}

const path = (username: string) => `/api/v1/users/${encodeURIComponent(username)}`;

export const usersApi = {
  list: (q: string, page: number, size: number, signal?: AbortSignal) =>
    api.get<Page<User>>(`/api/v1/users${query({ q, page, size })}`, signal),
  get: (username: string, signal?: AbortSignal) => api.get<User>(path(username), signal),
  create: (body: UserBody) => api.post<User>('/api/v1/users', body),
  replace: (username: string, body: UserBody) => api.put<User>(path(username), body),
  remove: (username: string, purge: boolean) => api.delete(`${path(username)}${purge ? '?purge=true' : ''}`),
};
