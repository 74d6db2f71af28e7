// The event rule form's state, its validation before sending, the request body it becomes, and
// how a rule is summarised in the list. Pure functions: unit-tested without a browser.
import { formatBytes } from '../../lib/format';
import { EVENT_TYPES, type EventRule, type EventRuleBody, type EventType, type RuleAction } from './api';

export interface ActionRow {
  type: 'webhook' | 'kafka' | 'other';
  url: string;
  /** Typed by the admin; empty: generated (new webhook) or kept (one that has a secret). */
  secret: string;
  /** The stored webhook has a secret (the API says so, never what it is). */
  secretSet: boolean;
  topic: string;
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

export function newAction(type: 'webhook' | 'kafka' = 'webhook'): ActionRow {
  return { type, url: '', secret: '', secretSet: false, topic: '' };
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
    }
  });
  return errors;
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
