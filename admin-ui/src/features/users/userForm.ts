// The user form's state, its validation before sending, and the request body it becomes.
// Pure functions: unit-tested without a browser.
import { isoToLocalInput, localInputToIso } from '../../lib/format';
import { looksLikePublicKey } from '../keys/publicKey';
import { LOGIN_POLICIES, PERMISSIONS, type LoginPolicy, type PermissionName, type User, type UserBody } from './api';

export interface PermissionRow {
  path: string;
  permissions: PermissionName[];
}

export interface UserForm {
  username: string;
  password: string;
  /** Only on edit: remove the current password (key-only login). */
  removePassword: boolean;
  /** Only on create: one key per line. */
  publicKeys: string;
  enabled: boolean;
  expiresAt: string;
  storageType: 'local' | 's3';
  bucket: string;
  prefix: string;
  maxBytes: string;
  maxFiles: string;
  permissions: PermissionRow[];
  allowedIps: string;
  maxSessions: string;
  maxFileSize: string;
  uploadBytesPerSecond: string;
  downloadBytesPerSecond: string;
  loginPolicy: LoginPolicy;
  /** Group names, in order (the first group that sets a value wins), separated by commas or lines. */
  groups: string;
}

export type FormErrors = Partial<Record<string, string>>;

export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;

export function emptyForm(): UserForm {
  return {
    username: '', password: '', removePassword: false, publicKeys: '', enabled: true, expiresAt: '',
    storageType: 'local', bucket: '', prefix: '', maxBytes: '0', maxFiles: '0',
    permissions: [{ path: '/', permissions: ['*'] }], allowedIps: '', maxSessions: '0', maxFileSize: '0',
    uploadBytesPerSecond: '0', downloadBytesPerSecond: '0', loginPolicy: 'any', groups: '',
  };
}

/** The group names typed into the form, in order. */
export function groupNames(text: string): string[] {
  return text.split(/[\s,]+/).map((g) => g.trim()).filter((g) => g.length > 0);
}

export function formFromUser(user: User): UserForm {
  return {
    username: user.username,
    password: '',
    removePassword: false,
    publicKeys: '',
    enabled: user.enabled,
    expiresAt: isoToLocalInput(user.expiresAt),
    storageType: user.storage?.type === 's3' ? 's3' : 'local',
    bucket: user.storage?.bucket ?? '',
    prefix: user.storage?.prefix ?? '',
    maxBytes: String(user.quota?.maxBytes ?? 0),
    maxFiles: String(user.quota?.maxFiles ?? 0),
    permissions: Object.entries(user.permissions ?? {}).map(([path, permissions]) => ({ path, permissions: [...permissions] })),
    allowedIps: (user.allowedIps ?? []).join('\n'),
    maxSessions: String(user.maxSessions ?? 0),
    maxFileSize: String(user.maxFileSize ?? 0),
    uploadBytesPerSecond: String(user.bandwidth?.uploadBytesPerSecond ?? 0),
    downloadBytesPerSecond: String(user.bandwidth?.downloadBytesPerSecond ?? 0),
    loginPolicy: (LOGIN_POLICIES as readonly string[]).includes(user.loginPolicy) ? user.loginPolicy as LoginPolicy : 'any',
    groups: (user.groups ?? []).join(', '),
  };
}

export function lines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** An IPv4/IPv6 address or CIDR (the server normalises and checks it again). */
export function isCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || !address) return false;
  const v4 = IPV4.test(address);
  const v6 = !v4 && address.includes(':') && /^[0-9A-Fa-f:.]+$/.test(address) && (address.match(/::/g) ?? []).length <= 1;
  if (!v4 && !v6) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (v4 ? 32 : 128);
}

function nonNegativeInteger(value: string): boolean {
  return /^\d+$/.test(value.trim()) && Number(value) <= Number.MAX_SAFE_INTEGER;
}

/**
 * The checks users and groups share, as the server makes them (access.AccessSettings): permission paths
 * (absolute, no '..', each once, known permissions) and allowed IPs (addresses or CIDRs).
 */
export function checkSharedSettings(form: { permissions: PermissionRow[]; allowedIps: string }, errors: FormErrors): void {
  const seen = new Set<string>();
  for (const row of form.permissions) {
    const p = row.path.trim();
    if (!p.startsWith('/')) { errors.permissions = `the path '${p}' must start with '/'`; break; }
    if (p.split('/').includes('..')) { errors.permissions = `the path '${p}' must not contain '..'`; break; }
    const normal = p.length > 1 ? p.replace(/\/+$/, '') : p;
    if (seen.has(normal)) { errors.permissions = `the path '${p}' is listed twice`; break; }
    seen.add(normal);
    if (row.permissions.some((x) => !(PERMISSIONS as readonly string[]).includes(x))) { errors.permissions = `unknown permission for '${p}'`; break; }
  }
  const badIp = lines(form.allowedIps).find((ip) => !isCidr(ip));
  if (badIp !== undefined) errors.allowedIps = `'${badIp}' is not an IP address or CIDR: use e.g. 203.0.113.7, 203.0.113.0/24 or 2001:db8::/32`;
}

export function validateUserForm(form: UserForm, creating: boolean): FormErrors {
  const errors: FormErrors = {};
  if (creating) {
    if (!form.username.trim()) errors.username = 'username is required';
    else if (!USERNAME.test(form.username.trim()) || form.username.includes('..')) {
      errors.username = 'use 2 to 64 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit (no "..")';
    }
  }
  if (form.password && (form.password.length < 8 || form.password.length > 1024)) {
    errors.password = 'password must have 8 to 1024 characters';
  }
  if (creating) {
    const keys = lines(form.publicKeys);
    const bad = keys.findIndex((k) => !looksLikePublicKey(k));
    if (bad >= 0) errors.publicKeys = `line ${bad + 1} is not an OpenSSH public key: paste lines like 'ssh-ed25519 AAAAC3Nz... comment'`;
    else if (keys.length === 0 && !form.password) errors.publicKeys = 'give at least one public key or a password, or the user cannot log in';
  }
  if (creating && form.loginPolicy === 'key+password' && !form.password) {
    errors.loginPolicy = 'key+password needs a password: set one above';
  }
  if (form.expiresAt && !localInputToIso(form.expiresAt)) errors.expiresAt = 'enter a valid date and time, or leave empty for never';
  for (const [field, label] of [
    ['maxBytes', 'quota.maxBytes'], ['maxFiles', 'quota.maxFiles'], ['maxSessions', 'maxSessions'], ['maxFileSize', 'maxFileSize'],
    ['uploadBytesPerSecond', 'bandwidth.uploadBytesPerSecond'], ['downloadBytesPerSecond', 'bandwidth.downloadBytesPerSecond'],
  ] as const) {
    if (!nonNegativeInteger(form[field])) errors[label] = 'enter a whole number, 0 or more (0 means no limit)';
  }
  if (form.maxSessions.trim() && Number(form.maxSessions) > 2_147_483_647) errors.maxSessions = 'at most 2147483647';
  checkSharedSettings(form, errors);
  const badGroup = groupNames(form.groups).find((g) => !USERNAME.test(g) || g.includes('..'));
  if (badGroup !== undefined) errors.groups = `'${badGroup}' is not a group name: names are 2 to 64 characters from A-Z a-z 0-9 . _ -`;
  return errors;
}

/** The JSON body for POST (creating) or PUT (editing an existing user). */
export function toUserBody(form: UserForm, creating: boolean): UserBody {
  const body: UserBody = {
    username: form.username.trim(),
    enabled: form.enabled,
    expiresAt: localInputToIso(form.expiresAt),
    storage: form.storageType === 's3'
      ? { type: 's3', bucket: form.bucket.trim() || null, prefix: form.prefix.trim() || null }
      : { type: 'local' },
    quota: { maxBytes: Number(form.maxBytes), maxFiles: Number(form.maxFiles) },
    permissions: Object.fromEntries(form.permissions.map((r) => [r.path.trim(), r.permissions])),
    allowedIps: lines(form.allowedIps),
    maxSessions: Number(form.maxSessions),
    maxFileSize: Number(form.maxFileSize),
    bandwidth: { uploadBytesPerSecond: Number(form.uploadBytesPerSecond), downloadBytesPerSecond: Number(form.downloadBytesPerSecond) },
    loginPolicy: form.loginPolicy,
    groups: groupNames(form.groups),
  };
  if (creating) {
    if (form.password) body.password = form.password;
    body.publicKeys = lines(form.publicKeys);
  } else if (form.removePassword) {
    body.password = null;
  } else if (form.password) {
    body.password = form.password;
  }
  return body;
}
