import { describe, expect, it } from 'vitest';
import type { User } from './api';
import { emptyForm, formFromUser, isCidr, toUserBody, validateUserForm, type PermissionRow, type UserForm } from './userForm';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl partner laptop';

function form(changes: Partial<UserForm>): UserForm {
  return { ...emptyForm(), username: 'acme', publicKeys: KEY, ...changes };
}

describe('validateUserForm', () => {
  it('accepts a minimal new user with a key', () => {
    expect(validateUserForm(form({}), true)).toEqual({});
  });

  it('checks the username like the server does', () => {
    expect(validateUserForm(form({ username: '' }), true).username).toMatch(/required/);
    expect(validateUserForm(form({ username: 'a' }), true).username).toMatch(/2 to 64/);
    expect(validateUserForm(form({ username: '-acme' }), true).username).toBeDefined();
    expect(validateUserForm(form({ username: 'ac..me' }), true).username).toBeDefined();
    expect(validateUserForm(form({ username: 'acme/../x' }), true).username).toBeDefined();
    expect(validateUserForm(form({ username: 'Acme.partner_1-x' }), true).username).toBeUndefined();
  });

  it('needs a key or a password to create, and checks both', () => {
    expect(validateUserForm(form({ publicKeys: '' }), true).publicKeys).toMatch(/at least one public key or a password/);
    expect(validateUserForm(form({ publicKeys: '', password: 'long-enough' }), true)).toEqual({});
    expect(validateUserForm(form({ password: 'short' }), true).password).toMatch(/8 to 1024/);
    expect(validateUserForm(form({ publicKeys: `${KEY}\nssh-rsa nope` }), true).publicKeys).toMatch(/line 2/);
  });

  it('wants whole non-negative numbers for limits', () => {
    const errors = validateUserForm(form({ maxBytes: '-1', maxFiles: '1.5', maxSessions: 'x', uploadBytesPerSecond: '' }), true);
    expect(Object.keys(errors).sort()).toEqual(['bandwidth.uploadBytesPerSecond', 'maxSessions', 'quota.maxBytes', 'quota.maxFiles']);
  });

  it('checks permission paths', () => {
    const rows = (path: string): PermissionRow[] => [{ path: '/', permissions: ['*'] }, { path, permissions: ['list'] }];
    expect(validateUserForm(form({ permissions: rows('inbox') }), true).permissions).toMatch(/must start with '\/'/);
    expect(validateUserForm(form({ permissions: rows('/a/../b') }), true).permissions).toMatch(/'\.\.'/);
    expect(validateUserForm(form({ permissions: rows('/') }), true).permissions).toMatch(/twice/);
    expect(validateUserForm(form({ permissions: rows('/inbox') }), true).permissions).toBeUndefined();
  });

  it('checks allowed IPs', () => {
    expect(validateUserForm(form({ allowedIps: '203.0.113.0/24\n2001:db8::/32\n10.1.2.3' }), true).allowedIps).toBeUndefined();
    expect(validateUserForm(form({ allowedIps: '203.0.113.0/24\nexample.com' }), true).allowedIps).toMatch(/'example.com'/);
  });
});

describe('isCidr', () => {
  it.each([
    ['10.0.0.1', true], ['10.0.0.0/8', true], ['::1', true], ['2001:db8::/32', true], ['::ffff:10.0.0.1', true],
    ['256.0.0.1', false], ['10.0.0.0/33', false], ['2001:db8::/129', false], ['1::2::3', false], ['host', false], ['10.0.0.0/8/8', false],
  ])('%s -> %s', (value, valid) => expect(isCidr(value)).toBe(valid));
});

describe('toUserBody', () => {
  it('sends everything on create, with keys one per line', () => {
    const body = toUserBody(form({ publicKeys: `\n${KEY}\n\n`, password: 'long-enough', maxBytes: '1073741824', allowedIps: ' 10.0.0.0/8 \n' }), true);
    expect(body).toMatchObject({
      username: 'acme', password: 'long-enough', publicKeys: [KEY], enabled: true, expiresAt: null,
      storage: { type: 'local' }, quota: { maxBytes: 1073741824, maxFiles: 0 }, permissions: { '/': ['*'] }, allowedIps: ['10.0.0.0/8'],
    });
  });

  it('sends s3 storage with bucket and prefix, empty ones as null', () => {
    expect(toUserBody(form({ storageType: 's3', bucket: 'acme-files', prefix: '' }), true).storage)
      .toEqual({ type: 's3', bucket: 'acme-files', prefix: null });
  });

  it('on edit omits keys and an empty password (kept), and sends null to remove the password', () => {
    const kept = toUserBody(form({ password: '' }), false);
    expect('publicKeys' in kept).toBe(false);
    expect('password' in kept).toBe(false);
    expect(toUserBody(form({ removePassword: true }), false).password).toBeNull();
    expect(toUserBody(form({ password: 'a-new-password' }), false).password).toBe('a-new-password');
  });

  it('round-trips a user from the API through the form', () => {
    const user: User = {
      username: 'acme', hasPassword: true, publicKeys: [KEY], enabled: false, expiresAt: '2027-01-01T00:00:00Z',
      storage: { type: 'local', bucket: null, prefix: null }, quota: { maxBytes: 1024, maxFiles: 5 }, permissions: { '/': ['list'], '/inbox': ['upload', 'list'] },
      allowedIps: ['10.0.0.0/8'], maxSessions: 2, maxFileSize: 0, bandwidth: { uploadBytesPerSecond: 100, downloadBytesPerSecond: 0 },
      usage: { usedBytes: 10, usedFiles: 1 }, source: 'local', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
      loginPolicy: 'key+totp', totpEnrolled: true,
      groups: ['partners'],
      effective: {
        permissions: { '/': { value: ['list'], source: 'user' } }, quota: { maxBytes: { value: 1024, source: 'user' }, maxFiles: { value: 5, source: 'user' } },
        allowedIps: { value: ['10.0.0.0/8'], source: 'user' }, maxSessions: { value: 2, source: 'user' },
        bandwidth: { uploadBytesPerSecond: { value: 100, source: 'user' }, downloadBytesPerSecond: { value: 0, source: 'default' } },
      },
    };
    const body = toUserBody(formFromUser(user), false);
    expect(body).toEqual({
      username: 'acme', enabled: false, expiresAt: '2027-01-01T00:00:00.000Z', storage: { type: 'local' },
      quota: { maxBytes: 1024, maxFiles: 5 }, permissions: { '/': ['list'], '/inbox': ['upload', 'list'] }, allowedIps: ['10.0.0.0/8'],
      maxSessions: 2, maxFileSize: 0, bandwidth: { uploadBytesPerSecond: 100, downloadBytesPerSecond: 0 }, loginPolicy: 'key+totp', groups: ['partners'],
    });
  });

  it('sends the login policy, and asks for a password with key+password on create', () => {
    expect(toUserBody(form({ loginPolicy: 'key+password', password: 'partner password' }), true).loginPolicy).toBe('key+password');
    expect(validateUserForm(form({ loginPolicy: 'key+password', password: '' }), true).loginPolicy).toMatch(/needs a password/);
    expect(validateUserForm(form({ loginPolicy: 'key+totp', password: '' }), true).loginPolicy).toBeUndefined();
  });

  it('sends group names in the order typed, and refuses what cannot be a group name', () => {
    expect(toUserBody(form({ groups: 'partners, ops\nteam-a' }), true).groups).toEqual(['partners', 'ops', 'team-a']);
    expect(toUserBody(form({ groups: '' }), true).groups).toEqual([]);
    expect(validateUserForm(form({ groups: 'partners, a/b' }), true).groups).toMatch(/'a\/b' is not a group name/);
    expect(validateUserForm(form({ groups: 'partners ops' }), true).groups).toBeUndefined();
  });
});
