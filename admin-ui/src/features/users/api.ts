import { api, query } from '../../lib/api';
import { permissionNameValues, type Schemas } from '../../lib/api-types';

/** Every permission name the server accepts, '*' first: the server's Permission enum, through /v3/api-docs. */
export const PERMISSIONS = permissionNameValues;
export type PermissionName = Schemas['PermissionName'];

export type Storage = Schemas['Storage'];

/** What an SFTP login needs (README "Login policy"): one factor, or a key then the password or a TOTP code. */
export const LOGIN_POLICIES = ['any', 'key+password', 'key+totp'] as const;
export type LoginPolicy = (typeof LOGIN_POLICIES)[number];

/** POST /api/v1/users/{username}/totp: shown once. */
export type TotpEnrolment = Schemas['UserTotpEnrolment'];

/** A user as GET /api/v1/users/{username} answers it. */
export type User = Schemas['UserView'];

type UserRequest = Schemas['UserRequest'];
/**
 * The body of POST and PUT: omitted password/publicKeys keep the current ones on PUT; password null removes it.
 * Bucket and prefix are sent for S3 storage only.
 */
export type UserBody = Omit<UserRequest, 'password' | 'publicKeys' | 'storage'>
  & Partial<Pick<UserRequest, 'password' | 'publicKeys'>>
  & { storage: Pick<Storage, 'type'> & Partial<Storage> };

const path = (username: string) => `/api/v1/users/${encodeURIComponent(username)}`;

export const usersApi = {
  list: (q: string, page: number, size: number, signal?: AbortSignal) =>
    api.get<Schemas['UserPage']>(`/api/v1/users${query({ q, page, size })}`, signal),
  get: (username: string, signal?: AbortSignal) => api.get<User>(path(username), signal),
  create: (body: UserBody) => api.post<User>('/api/v1/users', body),
  replace: (username: string, body: UserBody) => api.put<User>(path(username), body),
  remove: (username: string, purge: boolean) => api.delete(`${path(username)}${purge ? '?purge=true' : ''}`),
  importCsv: (csv: string) => api.postText<BulkReport>('/api/v1/users/import', csv, 'text/csv'),
  bulk: (action: BulkAction, usernames: string[], purge = false) =>
    api.post<BulkReport>('/api/v1/users/bulk', { action, usernames, purge }),
  enrolTotp: (username: string) => api.post<TotpEnrolment>(`${path(username)}/totp`, {}),
  removeTotp: (username: string) => api.delete(`${path(username)}/totp`),
};

export type BulkAction = 'enable' | 'disable' | 'delete';

/** What an import or a bulk action did: one result per CSV row or name, failures with their reason. */
export interface BulkReport {
  succeeded: number;
  failed: number;
  results: { row: number; username?: string | null; status: string; field?: string | null; message?: string | null }[];
}
