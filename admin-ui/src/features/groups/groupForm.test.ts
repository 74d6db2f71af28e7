import { describe, expect, it } from 'vitest';
import type { Group } from './api';
import { emptyGroupForm, formFromGroup, prefixProblem, toGroupBody, validateGroupForm, type GroupForm } from './groupForm';

function form(changes: Partial<GroupForm>): GroupForm {
  return { ...emptyGroupForm(), name: 'partners', ...changes };
}

describe('validateGroupForm', () => {
  it('accepts a group that sets nothing, and one that sets everything', () => {
    expect(validateGroupForm(form({}), true)).toEqual({});
    expect(validateGroupForm(form({
      permissions: [{ path: '/', permissions: ['list'] }, { path: '/inbox', permissions: ['upload'] }], maxFiles: '100',
      allowedIps: '203.0.113.0/24', maxSessions: '2', storageType: 's3', bucket: 'drop', prefix: 'partners/{username}/',
    }), true)).toEqual({});
  });

  it('names the server’s fields', () => {
    const errors = validateGroupForm(form({ name: 'a/b', maxFiles: '-1', allowedIps: '10.0.0.0/33', permissions: [{ path: 'in', permissions: [] }] }), true);
    expect(Object.keys(errors).sort()).toEqual(['allowedIps', 'name', 'permissions', 'quota.maxFiles']);
    expect(validateGroupForm(form({ name: '' }), true).name).toMatch(/required/);
    expect(validateGroupForm(form({ name: '' }), false).name).toBeUndefined();
  });

  it('refuses prefix templates that could leave their place, as the server does', () => {
    expect(prefixProblem('partners/{username}/')).toBeUndefined();
    expect(prefixProblem('partners/../{username}/')).toMatch(/'\.\.' segments/);
    expect(prefixProblem('/partners/{username}/')).toMatch(/start with/);
    expect(prefixProblem('partners/{user}/')).toMatch(/only placeholder/);
    expect(validateGroupForm(form({ storageType: 's3', prefix: './{username}' }), true)['storage.prefix']).toBeDefined();
  });
});

describe('toGroupBody', () => {
  it('sends what the form holds, and storage only when the group gives one', () => {
    expect(toGroupBody(form({ allowedIps: '10.0.0.0/8\n\n', maxSessions: '3' }))).toEqual({
      name: 'partners', permissions: {}, quota: { maxBytes: 0, maxFiles: 0 }, allowedIps: ['10.0.0.0/8'], maxSessions: 3,
      bandwidth: { uploadBytesPerSecond: 0, downloadBytesPerSecond: 0 }, storage: null, virtualFolders: [],
    });
    expect(toGroupBody(form({ storageType: 's3', bucket: ' drop ', prefix: 'p/{username}/' })).storage)
      .toEqual({ type: 's3', bucket: 'drop', prefix: 'p/{username}/' });
  });

  it('round-trips a group from the API through the form', () => {
    const group: Group = {
      name: 'partners', permissions: { '/': ['list'], '/inbox': ['upload', 'list'] }, quota: { maxBytes: 1024, maxFiles: 5 },
      allowedIps: ['10.0.0.0/8'], maxSessions: 2, bandwidth: { uploadBytesPerSecond: 100, downloadBytesPerSecond: 0 },
      storage: { type: 's3', bucket: 'drop', prefix: 'partners/{username}/' }, virtualFolders: [], members: 3,
      createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
    };
    const body = toGroupBody(formFromGroup(group));
    expect(body).toEqual({
      name: 'partners', permissions: group.permissions, quota: group.quota, allowedIps: group.allowedIps, maxSessions: 2,
      bandwidth: group.bandwidth, storage: group.storage, virtualFolders: [],
    });
  });
});
