// The group form's state, its validation before sending, and the request body it becomes.
// Pure functions: unit-tested without a browser.
import { checkSharedSettings, lines, USERNAME, type FormErrors, type PermissionRow } from '../users/userForm';
import type { Group, GroupBody } from './api';

export interface GroupForm {
  name: string;
  permissions: PermissionRow[];
  maxBytes: string;
  maxFiles: string;
  allowedIps: string;
  maxSessions: string;
  uploadBytesPerSecond: string;
  downloadBytesPerSecond: string;
  /** '' (no storage default), 'local' or 's3'. */
  storageType: '' | 'local' | 's3';
  bucket: string;
  prefix: string;
}

export function emptyGroupForm(): GroupForm {
  return {
    name: '', permissions: [], maxBytes: '0', maxFiles: '0', allowedIps: '', maxSessions: '0',
    uploadBytesPerSecond: '0', downloadBytesPerSecond: '0', storageType: '', bucket: '', prefix: '',
  };
}

export function formFromGroup(group: Group): GroupForm {
  const type = group.storage?.type;
  return {
    name: group.name,
    permissions: Object.entries(group.permissions ?? {}).map(([path, permissions]) => ({ path, permissions: [...permissions] })),
    maxBytes: String(group.quota?.maxBytes ?? 0),
    maxFiles: String(group.quota?.maxFiles ?? 0),
    allowedIps: (group.allowedIps ?? []).join('\n'),
    maxSessions: String(group.maxSessions ?? 0),
    uploadBytesPerSecond: String(group.bandwidth?.uploadBytesPerSecond ?? 0),
    downloadBytesPerSecond: String(group.bandwidth?.downloadBytesPerSecond ?? 0),
    storageType: type === 's3' ? 's3' : type === 'local' ? 'local' : '',
    bucket: group.storage?.bucket ?? '',
    prefix: group.storage?.prefix ?? '',
  };
}

/** What is wrong with a prefix template, as the server would say it, or undefined. */
export function prefixProblem(prefix: string): string | undefined {
  if (!prefix) return undefined;
  if (prefix.startsWith('/')) return "must not start with '/' (write 'partners/{username}/')";
  if (/[{}]/.test(prefix.split('{username}').join(''))) return 'the only placeholder is {username}';
  const segments = (prefix.endsWith('/') ? prefix.slice(0, -1) : prefix).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return "must not contain empty, '.' or '..' segments";
  return undefined;
}

export function validateGroupForm(form: GroupForm, creating: boolean): FormErrors {
  const errors: FormErrors = {};
  if (creating) {
    if (!form.name.trim()) errors.name = 'name is required';
    else if (!USERNAME.test(form.name.trim()) || form.name.includes('..')) {
      errors.name = 'use 2 to 64 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit (no "..")';
    }
  }
  for (const [field, label] of [
    ['maxBytes', 'quota.maxBytes'], ['maxFiles', 'quota.maxFiles'], ['maxSessions', 'maxSessions'],
    ['uploadBytesPerSecond', 'bandwidth.uploadBytesPerSecond'], ['downloadBytesPerSecond', 'bandwidth.downloadBytesPerSecond'],
  ] as const) {
    if (!/^\d+$/.test(form[field].trim())) errors[label] = 'enter a whole number, 0 or more (0: the group does not set it)';
  }
  checkSharedSettings(form, errors);
  if (form.storageType === 's3') {
    const problem = prefixProblem(form.prefix.trim());
    if (problem) errors['storage.prefix'] = problem;
  }
  return errors;
}

/** The JSON body for POST (creating) or PUT (editing). */
export function toGroupBody(form: GroupForm): GroupBody {
  return {
    name: form.name.trim(),
    permissions: Object.fromEntries(form.permissions.map((r) => [r.path.trim(), r.permissions])),
    quota: { maxBytes: Number(form.maxBytes), maxFiles: Number(form.maxFiles) },
    allowedIps: lines(form.allowedIps),
    maxSessions: Number(form.maxSessions),
    bandwidth: { uploadBytesPerSecond: Number(form.uploadBytesPerSecond), downloadBytesPerSecond: Number(form.downloadBytesPerSecond) },
    storage: form.storageType === ''
      ? null
      : form.storageType === 's3'
        ? { type: 's3', bucket: form.bucket.trim() || null, prefix: form.prefix.trim() || null }
        : { type: 'local', bucket: null, prefix: null },
    virtualFolders: [],
  };
}
