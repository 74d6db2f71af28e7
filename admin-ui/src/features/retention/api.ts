import { api, query } from '../../lib/api';
import type { Schemas } from '../../lib/api-types';

/** A rule as GET /api/v1/retention-rules answers it (username null: every user). */
export type RetentionRule = Schemas['RetentionRule'];

/** The body of POST and PUT: name, path and days are required; username left out or null is every user. */
export type RetentionRuleBody = Schemas['RetentionRuleRequest'];

/** What a preview would delete or a run deleted: totals of everything, `files` the first `size` of them. */
export type RetentionReport = Schemas['RetentionReport'];

/** How many files a report lists (the server's default; it counts them all). */
export const LISTED_FILES = 100;

const rulePath = (id: number | string) => `/api/v1/retention-rules/${encodeURIComponent(String(id))}`;

export const retentionApi = {
  rules: (signal?: AbortSignal) => api.get<RetentionRule[]>('/api/v1/retention-rules', signal),
  rule: (id: string, signal?: AbortSignal) => api.get<RetentionRule>(rulePath(id), signal),
  create: (body: RetentionRuleBody) => api.post<RetentionRule>('/api/v1/retention-rules', body),
  replace: (id: number, body: RetentionRuleBody) => api.put<RetentionRule>(rulePath(id), body),
  remove: (id: number) => api.delete(rulePath(id)),
  /** A dry run: changes nothing, so AUDITORs may ask too. */
  preview: (id: number) => api.get<RetentionReport>(`${rulePath(id)}/preview${query({ size: LISTED_FILES })}`),
  /** Deletes now (enabled or not); 409 while an hourly round runs. */
  run: (id: number) => api.post<RetentionReport>(`${rulePath(id)}/run${query({ size: LISTED_FILES })}`, undefined),
};
