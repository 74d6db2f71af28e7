// The audit page's filters: kept in the URL (so a reload or a shared link keeps them),
// edited in a form with local times, checked before searching.
import { isoToLocalInput, localInputToIso } from '../../lib/format';
import type { AuditFilters } from './api';

export interface FilterForm {
  username: string;
  type: string;
  from: string;
  to: string;
  path: string;
}

export function filtersFromParams(params: URLSearchParams): AuditFilters {
  const get = (k: string) => params.get(k)?.trim() || undefined;
  return { username: get('username'), type: get('type'), from: get('from'), to: get('to'), path: get('path') };
}

export function formFromFilters(f: AuditFilters): FilterForm {
  return { username: f.username ?? '', type: f.type ?? '', from: isoToLocalInput(f.from), to: isoToLocalInput(f.to), path: f.path ?? '' };
}

export function validateFilters(form: FilterForm): Partial<Record<keyof FilterForm, string>> {
  const errors: Partial<Record<keyof FilterForm, string>> = {};
  const from = localInputToIso(form.from);
  const to = localInputToIso(form.to);
  if (form.from && !from) errors.from = 'enter a valid date and time';
  if (form.to && !to) errors.to = 'enter a valid date and time';
  if (from && to && from >= to) errors.from = '“From” must be before “To”';
  if (form.username.length > 64) errors.username = 'usernames have at most 64 characters';
  return errors;
}

/** URL parameters for the filters (empty ones left out). */
export function paramsFromForm(form: FilterForm): Record<string, string> {
  const params: Record<string, string> = {};
  if (form.username.trim()) params.username = form.username.trim();
  if (form.type) params.type = form.type;
  const from = localInputToIso(form.from);
  const to = localInputToIso(form.to);
  if (from) params.from = from;
  if (to) params.to = to;
  if (form.path.trim()) params.path = form.path.trim();
  return params;
}
