// The event rule form's state, its validation before sending, the request body it becomes, and
// how a rule is summarised in the list. Pure functions: unit-tested without a browser.
import { formatBytes } from '../../lib/format';
import { EVENT_TYPES, type EventRule, type EventRuleBody, type EventType, type RuleAction } from './api';

/** The action kinds this form edits; `move` and `copy` place the uploaded file elsewhere on the server. */
export const ACTION_TYPES = ['webhook', 'kafka', 'move', 'copy'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export interface ActionRow {
  type: ActionType | 'other';
  url: string;
  /** Typed by the admin; empty: generated (new webhook) or kept (one that has a secret). */
  secret: string;
  /** The stored webhook has a secret (the API says so, never what it is). */
  secretSet: boolean;
  topic: string;
  /** move and copy: the target path template, e.g. /incoming/{username}/{filename}. */
  to: string;
  /** move and copy: the receiving user; empty: the file's own user. */
  username: string;
  /** An action of a kind this form does not edit, sent back as the API showed it. */
  original?: RuleAction;
}

export interface RuleForm {
  name: string;
  enabled: boolean;
  events: EventType[];
  usernames: string;
  paths: string;
  minSize: string;
  actions: ActionRow[];
}

export type FormErrors = Partial<Record<string, string>>;

/** As the server checks it: 1 to 128 of A-Z a-z 0-9 . _ -, not only digits. */
export const RULE_NAME = /^[A-Za-z0-9._-]{1,128}$/;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const PRINTABLE_ASCII = /^[\x21-\x7e]{16,256}$/;
/** The placeholders a move or copy target may hold (the server's PathTemplate). */
export const PLACEHOLDERS = ['filename', 'path', 'username', 'date'] as const;

export function newAction(type: ActionType = 'webhook'): ActionRow {
  return { type, url: '', secret: '', secretSet: false, topic: '', to: '', username: '' };
}

export function emptyForm(): RuleForm {
  return { name: '', enabled: true, events: ['UPLOAD'], usernames: '', paths: '', minSize: '', actions: [newAction()] };
}

function actionRow(action: RuleAction): ActionRow {
  if (action.type === 'webhook') {
    // an answer that carries a generated secret has one set, whatever else it says
    return { ...newAction('webhook'), url: String(action.url ?? ''), secretSet: action.secretSet === true || typeof action.secret === 'string' };
  }
  if (action.type === 'kafka') return { ...newAction('kafka'), topic: String(action.topic ?? '') };
  if (action.type === 'move' || action.type === 'copy') {
    return { ...newAction(action.type), to: String(action.to ?? ''), username: String(action.username ?? '') };
  }
  return { ...newAction(), type: 'other', original: action };
}

export function formFromRule(rule: EventRule): RuleForm {
  return {
    name: rule.name,
    enabled: rule.enabled,
    events: [...rule.events],
    usernames: (rule.usernames ?? []).join('\n'),
    paths: (rule.paths ?? []).join('\n'),
    minSize: rule.minSize === null || rule.minSize === undefined ? '' : String(rule.minSize),
    actions: rule.actions.map(actionRow),
  };
}

export function lines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
}

/** The field names are the server's (actions[1].url), so its 400 answers land on the same fields. */
export function validateRuleForm(form: RuleForm): FormErrors {
  const errors: FormErrors = {};
  const name = form.name.trim();
  if (!name) errors.name = 'name is required';
  else if (!RULE_NAME.test(name) || /^\d+$/.test(name)) errors.name = 'use 1 to 128 of A-Z a-z 0-9 . _ -, not only digits';
  if (form.events.length === 0) errors.events = 'choose at least one event type';
  const badUser = lines(form.usernames).find((u) => !USERNAME.test(u));
  if (badUser !== undefined) errors.usernames = `'${badUser}' is not a username (2 to 64 of A-Z a-z 0-9 . _ -)`;
  const badPath = lines(form.paths).find((p) => !p.startsWith('/'));
  if (badPath !== undefined) errors.paths = `'${badPath}' must start with '/', e.g. /inbox/**/*.csv`;
  if (form.minSize.trim() && !/^\d+$/.test(form.minSize.trim())) errors.minSize = 'enter a whole number of bytes, 0 or more, or leave empty';
  if (form.actions.length === 0) errors.actions = 'add at least one action';
  form.actions.forEach((a, i) => {
    const field = `actions[${i}]`;
    if (a.type === 'webhook') {
      let url: URL | undefined;
      try {
        url = new URL(a.url.trim());
      } catch {
        url = undefined;
      }
      if (!a.url.trim()) errors[`${field}.url`] = 'the http or https URL to POST events to is required';
      else if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) errors[`${field}.url`] = 'enter an http:// or https:// URL';
      if (a.secret && !PRINTABLE_ASCII.test(a.secret)) {
        errors[`${field}.secret`] = 'a secret is 16 to 256 printable ASCII characters (no spaces); leave empty to have one generated';
      }
    } else if (a.type === 'kafka' && !TOPIC.test(a.topic.trim())) {
      errors[`${field}.topic`] = 'a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -';
    } else if (a.type === 'move' || a.type === 'copy') {
      const to = targetProblem(a.to.trim());
      if (to) errors[`${field}.to`] = to;
      if (a.username.trim() && !USERNAME.test(a.username.trim())) {
        errors[`${field}.username`] = `'${a.username.trim()}' is not a username; leave it empty to keep the file in its own user's home`;
      }
    }
  });
  return errors;
}

/** What is wrong with a move or copy target, checked as the server's PathTemplate does; undefined when nothing. */
export function targetProblem(to: string): string | undefined {
  if (!to) return 'the target path is required, e.g. /processed/{filename}';
  if (!to.startsWith('/') && !to.startsWith('{path}/')) return 'start with / (or {path}/): the target is an absolute path in the receiving home';
  if (to.length > 1024) return 'at most 1024 characters';
  if (to.endsWith('/')) return 'name a file, not a directory: end with a name such as {filename}';
  if (to.includes('\\') || to.includes('\0')) return 'no backslash or NUL';
  const unknown = [...to.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]).find((p) => !(PLACEHOLDERS as readonly string[]).includes(p));
  if (unknown !== undefined) return `unknown placeholder {${unknown}}: use {filename}, {path}, {username} or {date}`;
  if (/[{}]/.test(to.replace(/\{[^{}]*\}/g, 'x'))) return 'unbalanced { or }';
  const segments = to.slice(to.indexOf('/') + 1).split('/');
  if (segments.some((s) => s === '.' || s === '..')) return 'no . or .. segments: the target stays in its home';
  if (segments.some((s) => s === '') && !to.includes('{path}')) return 'no empty segment (//)';
  return undefined;
}

/** The JSON body for POST and PUT. Groups are not offered (the server has none yet): always empty. */
export function toRuleBody(form: RuleForm): EventRuleBody {
  return {
    name: form.name.trim(),
    enabled: form.enabled,
    events: EVENT_TYPES.filter((t) => form.events.includes(t)),
    usernames: lines(form.usernames),
    groups: [],
    paths: lines(form.paths),
    minSize: form.minSize.trim() ? Number(form.minSize) : null,
    actions: form.actions.map((a): RuleAction => {
      if (a.type === 'webhook') return a.secret ? { type: 'webhook', url: a.url.trim(), secret: a.secret } : { type: 'webhook', url: a.url.trim() };
      if (a.type === 'kafka') return { type: 'kafka', topic: a.topic.trim() };
      if (a.type === 'move' || a.type === 'copy') {
        return a.username.trim() ? { type: a.type, to: a.to.trim(), username: a.username.trim() } : { type: a.type, to: a.to.trim() };
      }
      return a.original!;
    }),
  };
}

/** Secrets in the answer to a change: generated ones, shown this once. */
export function shownSecrets(rule: EventRule): { index: number; url: string; secret: string }[] {
  return rule.actions.flatMap((a, index) => (a.type === 'webhook' && typeof a.secret === 'string'
    ? [{ index, url: String(a.url), secret: a.secret }] : []));
}

/** One line per action for the list: never a secret. */
export function describeAction(action: RuleAction): string {
  if (action.type === 'webhook') return `webhook ${String(action.url)}${action.secretSet ? ' (signed)' : ''}`;
  if (action.type === 'kafka') return `kafka topic ${String(action.topic)}`;
  if (action.type === 'move' || action.type === 'copy') return `${action.type} to ${action.username ? `${action.username}:` : ''}${String(action.to)}`;
  return action.type;
}

/** The filters as one line: who, where, how big. */
export function describeFilters(rule: Pick<EventRule, 'usernames' | 'paths' | 'minSize'>): string {
  const parts: string[] = [];
  parts.push(rule.usernames?.length ? `users ${rule.usernames.join(', ')}` : 'all users');
  if (rule.paths?.length) parts.push(`paths ${rule.paths.join(', ')}`);
  if (rule.minSize) parts.push(`at least ${formatBytes(rule.minSize)}`);
  return parts.join('; ');
}
