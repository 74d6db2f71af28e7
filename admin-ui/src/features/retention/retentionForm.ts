// The retention rule form's state, its checks before sending and the body it becomes. Pure functions:
// unit-tested without a browser. The server checks everything again (RetentionRules, RetentionPath).
import type { RetentionRule, RetentionRuleBody } from './api';

export interface RetentionForm {
  name: string;
  path: string;
  /** Empty: every user. */
  username: string;
  days: string;
  enabled: boolean;
}

export type FormErrors = Partial<Record<string, string>>;

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;
const MAX_NAME = 100;
const MAX_DAYS = 36_500;

export function emptyForm(): RetentionForm {
  return { name: '', path: '/outbox/**', username: '', days: '30', enabled: true };
}

export function formFromRule(rule: RetentionRule): RetentionForm {
  return { name: rule.name, path: rule.path, username: rule.username ?? '', days: String(rule.days), enabled: rule.enabled };
}

/** What is wrong with a path glob, as far as the form can tell; undefined when nothing. */
export function pathProblem(path: string): string | undefined {
  if (!path) return 'the path glob is required, e.g. /outbox/**';
  if (!path.startsWith('/')) return 'start with / (the user’s home), e.g. /outbox/**';
  if (/[{}\\]/.test(path)) return 'no {, } or \\ in a path glob';
  const segments = path.slice(1).split('/');
  if (path !== '/' && segments.some((s) => s === '' || s === '.' || s === '..')) return 'no empty, . or .. segments';
  if (segments.some((s) => s.includes('**') && s !== '**')) return '** must be a whole segment: /outbox/**/*.csv, not /outbox/**.csv';
  return undefined;
}

/** Field names are the server's (name, path, username, days), so its 400 answers land on the same fields. */
export function validateRetentionForm(form: RetentionForm): FormErrors {
  const errors: FormErrors = {};
  const name = form.name.trim();
  if (!name) errors.name = 'name is required: a short name such as outbox-30d';
  else if (name.length > MAX_NAME) errors.name = `at most ${MAX_NAME} characters`;
  const path = pathProblem(form.path.trim());
  if (path) errors.path = path;
  const username = form.username.trim();
  if (username && !USERNAME.test(username)) errors.username = `'${username}' is not a username; leave it empty for every user`;
  const days = form.days.trim();
  if (!/^\d+$/.test(days) || Number(days) < 1 || Number(days) > MAX_DAYS) errors.days = `enter a whole number of days from 1 to ${MAX_DAYS}`;
  return errors;
}

export function toRetentionBody(form: RetentionForm): RetentionRuleBody {
  return {
    name: form.name.trim(),
    path: form.path.trim(),
    username: form.username.trim() || null,
    days: Number(form.days.trim()),
    enabled: form.enabled,
  };
}

/** The rule in one line: `files older than 30 days under /outbox/** of acme`. */
export function describeRule(rule: Pick<RetentionRule, 'days' | 'path' | 'username'>): string {
  return `files older than ${rule.days} ${rule.days === 1 ? 'day' : 'days'} under ${rule.path} of ${rule.username ?? 'every user'}`;
}
