import { api } from '../../lib/api';
import type { Schemas } from '../../lib/api-types';

/** A group as GET /api/v1/groups answers it (`members`: how many users list it). */
export type Group = Schemas['GroupView'];

/** The body of POST and PUT: 0, empty and absent mean the group does not set that value. */
export type GroupBody = Schemas['GroupRequest'];

const path = (name: string) => `/api/v1/groups/${encodeURIComponent(name)}`;

export const groupsApi = {
  list: (signal?: AbortSignal) => api.get<Group[]>('/api/v1/groups', signal),
  get: (name: string, signal?: AbortSignal) => api.get<Group>(path(name), signal),
  create: (body: GroupBody) => api.post<Group>('/api/v1/groups', body),
  replace: (name: string, body: GroupBody) => api.put<Group>(path(name), body),
  /** 409 while users list the group: the message names them. */
  remove: (name: string) => api.delete(path(name)),
};
