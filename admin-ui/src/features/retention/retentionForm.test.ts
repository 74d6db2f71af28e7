import { describe, expect, it } from 'vitest';
import { describeRule, emptyForm, formFromRule, pathProblem, toRetentionBody, validateRetentionForm, type RetentionForm } from './retentionForm';

function form(changes: Partial<RetentionForm>): RetentionForm {
  return { ...emptyForm(), name: 'outbox-30d', ...changes };
}

describe('validateRetentionForm', () => {
  it('accepts a rule for every user, and one for a user', () => {
    expect(validateRetentionForm(form({}))).toEqual({});
    expect(validateRetentionForm(form({ username: 'acme', path: '/partners/*/out/**/*.csv', days: '1' }))).toEqual({});
  });

  it('names the server’s fields: name, path, username, days', () => {
    const errors = validateRetentionForm({ name: ' ', path: 'outbox', username: 'a b', days: '0', enabled: true });
    expect(Object.keys(errors).sort()).toEqual(['days', 'name', 'path', 'username']);
    expect(errors.name).toMatch(/required/);
    expect(errors.days).toMatch(/1 to 36500/);
    expect(validateRetentionForm(form({ days: '36501' })).days).toBeDefined();
    expect(validateRetentionForm(form({ days: '2.5' })).days).toBeDefined();
    expect(validateRetentionForm(form({ name: 'x'.repeat(101) })).name).toMatch(/at most 100/);
  });

  it('checks a path glob as far as the form can tell', () => {
    for (const ok of ['/', '/outbox', '/outbox/**', '/partners/*/out/**/*.csv', '/a?c/[x]']) expect(pathProblem(ok), ok).toBeUndefined();
    expect(pathProblem('')).toMatch(/required/);
    expect(pathProblem('outbox/**')).toMatch(/start with \//);
    expect(pathProblem('/out/../x')).toMatch(/segments/);
    expect(pathProblem('/out//x')).toMatch(/segments/);
    expect(pathProblem('/out/**.csv')).toMatch(/whole segment/);
    expect(pathProblem('/out/{a,b}')).toMatch(/no \{/);
  });
});

describe('toRetentionBody', () => {
  it('sends every user as null, days as a number, trimmed text', () => {
    expect(toRetentionBody(form({ name: ' outbox-30d ', path: ' /outbox/** ', username: ' ', days: ' 30 ', enabled: false }))).toEqual({
      name: 'outbox-30d', path: '/outbox/**', username: null, days: 30, enabled: false,
    });
    expect(toRetentionBody(form({ username: 'acme' })).username).toBe('acme');
  });

  it('round-trips a rule from the API', () => {
    const rule = { id: 3, name: 'outbox-30d', path: '/outbox/**', username: null, days: 1, enabled: true,
      createdAt: '2026-12-07T10:00:00Z', updatedAt: '2026-12-07T10:00:00Z' };
    expect(toRetentionBody(formFromRule(rule))).toEqual({ name: 'outbox-30d', path: '/outbox/**', username: null, days: 1, enabled: true });
    expect(describeRule(rule)).toBe('files older than 1 day under /outbox/** of every user');
    expect(describeRule({ ...rule, days: 30, username: 'acme' })).toBe('files older than 30 days under /outbox/** of acme');
  });
});
