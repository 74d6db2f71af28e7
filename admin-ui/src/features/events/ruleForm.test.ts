import { describe, expect, it } from 'vitest';
import type { EventRule } from './api';
import {
  describeAction, describeFilters, emptyForm, formFromRule, newAction, shownSecrets, targetProblem, toRuleBody, validateRuleForm, type RuleForm,
} from './ruleForm';

function form(changes: Partial<RuleForm>): RuleForm {
  return { ...emptyForm(), name: 'acme-inbox', actions: [{ ...newAction('webhook'), url: 'https://hooks.example.com/ferry' }], ...changes };
}

const RULE: EventRule = {
  id: 7, name: 'acme-inbox-csv', enabled: false, events: ['UPLOAD', 'RENAME'], usernames: ['acme'], groups: [],
  paths: ['/inbox/**/*.csv'], minSize: 1024,
  actions: [{ type: 'webhook', url: 'https://hooks.example.com/ferry', secretSet: true }, { type: 'kafka', topic: 'ferry-events' }],
  createdAt: '2026-12-01T10:00:00Z', updatedAt: '2026-12-01T10:00:00Z',
};

describe('validateRuleForm', () => {
  it('accepts a webhook rule with a generated secret', () => {
    expect(validateRuleForm(form({}))).toEqual({});
  });

  it('checks the name like the server does', () => {
    expect(validateRuleForm(form({ name: '' })).name).toMatch(/required/);
    expect(validateRuleForm(form({ name: '123' })).name).toMatch(/not only digits/);
    expect(validateRuleForm(form({ name: 'a b' })).name).toBeDefined();
    expect(validateRuleForm(form({ name: 'x'.repeat(129) })).name).toBeDefined();
    expect(validateRuleForm(form({ name: 'Acme.inbox_1-csv' })).name).toBeUndefined();
  });

  it('needs an event type and an action', () => {
    expect(validateRuleForm(form({ events: [] })).events).toMatch(/at least one/);
    expect(validateRuleForm(form({ actions: [] })).actions).toMatch(/at least one action/);
  });

  it('names each action’s field as the server does, so its answers land on the same field', () => {
    const errors = validateRuleForm(form({
      actions: [
        { ...newAction('webhook'), url: 'https://ok.example.com' },
        { ...newAction('webhook'), url: 'ftp://files.example.com', secret: 'short' },
        { ...newAction('kafka'), topic: 'no spaces' },
        { ...newAction('webhook'), url: '' },
      ],
    }));
    expect(Object.keys(errors).sort()).toEqual(['actions[1].secret', 'actions[1].url', 'actions[2].topic', 'actions[3].url']);
    expect(errors['actions[1].url']).toMatch(/http:\/\/ or https:\/\//);
    expect(errors['actions[3].url']).toMatch(/required/);
  });

  it('checks a move or copy target and receiving user, under the server’s field names', () => {
    const errors = validateRuleForm(form({
      actions: [
        { ...newAction('move'), to: '/incoming/{username}/{filename}', username: 'ops' },
        { ...newAction('copy'), to: 'archive/{filename}' },
        { ...newAction('move'), to: '/x/{filename}', username: 'no one' },
        { ...newAction('copy'), to: '' },
      ],
    }));
    expect(Object.keys(errors).sort()).toEqual(['actions[1].to', 'actions[2].username', 'actions[3].to']);
    expect(errors['actions[1].to']).toMatch(/start with \//);
    expect(errors['actions[2].username']).toMatch(/'no one' is not a username/);
    expect(errors['actions[3].to']).toMatch(/required/);
  });

  it('checks a target path as the server’s PathTemplate does', () => {
    for (const ok of ['/processed/{filename}', '/archive/{date}{path}/{filename}', '{path}/copy-{filename}', '/incoming/{username}/a.csv']) {
      expect(targetProblem(ok), ok).toBeUndefined();
    }
    expect(targetProblem('/out/')).toMatch(/name a file/);
    expect(targetProblem('/out/{name}')).toMatch(/unknown placeholder \{name\}/);
    expect(targetProblem('/out/{filename')).toMatch(/unbalanced/);
    expect(targetProblem('/out/../{filename}')).toMatch(/\.\. segments/);
    expect(targetProblem('/out//{filename}')).toMatch(/empty segment/);
    expect(targetProblem('/out\\{filename}')).toMatch(/backslash/);
    expect(targetProblem(`/${'a'.repeat(1024)}`)).toMatch(/1024/);
  });

  it('checks usernames, path globs and the minimum size', () => {
    expect(validateRuleForm(form({ usernames: 'acme\nx' })).usernames).toMatch(/'x' is not a username/);
    expect(validateRuleForm(form({ paths: '/inbox/**\ninbox/*.csv' })).paths).toMatch(/'inbox\/\*\.csv' must start with '\/'/);
    expect(validateRuleForm(form({ minSize: '-1' })).minSize).toMatch(/whole number/);
    expect(validateRuleForm(form({ usernames: ' acme \n\n', paths: '/inbox/**/*.csv', minSize: '0' }))).toEqual({});
  });
});

describe('toRuleBody', () => {
  it('sends a webhook without secret (one is generated), lines as lists, no groups, events in the server’s order', () => {
    const body = toRuleBody(form({ events: ['RENAME', 'UPLOAD'], usernames: ' acme \n\nbeta', paths: '/inbox/**', minSize: '' }));
    expect(body).toEqual({
      name: 'acme-inbox', enabled: true, events: ['RENAME', 'UPLOAD'], usernames: ['acme', 'beta'], groups: [], paths: ['/inbox/**'],
      minSize: null, actions: [{ type: 'webhook', url: 'https://hooks.example.com/ferry' }],
    });
  });

  it('sends a typed secret and a Kafka topic', () => {
    const body = toRuleBody(form({ actions: [{ ...newAction('webhook'), url: 'https://h.example.com', secret: 'a-secret-of-16-chars' },
      { ...newAction('kafka'), topic: ' ferry-events ' }] }));
    expect(body.actions).toEqual([{ type: 'webhook', url: 'https://h.example.com', secret: 'a-secret-of-16-chars' }, { type: 'kafka', topic: 'ferry-events' }]);
  });

  it('round-trips a rule from the API: the webhook keeps its secret by sending none, move and copy as they were, unknown actions too', () => {
    const move = { type: 'move', to: '/processed/{filename}', username: 'ops' };
    const copy = { type: 'copy', to: '/archive/{date}{path}/{filename}' };
    const future = { type: 'sqs', queue: 'q' };
    const form = formFromRule({ ...RULE, actions: [...RULE.actions, move, copy, future] });
    expect(form.actions.map((a) => a.type)).toEqual(['webhook', 'kafka', 'move', 'copy', 'other']);
    expect(toRuleBody(form)).toEqual({
      name: 'acme-inbox-csv', enabled: false, events: ['RENAME', 'UPLOAD'], usernames: ['acme'], groups: [], paths: ['/inbox/**/*.csv'],
      minSize: 1024,
      actions: [{ type: 'webhook', url: 'https://hooks.example.com/ferry' }, { type: 'kafka', topic: 'ferry-events' }, move, copy, future],
    });
  });

  it('sends a move or copy with its target, and a receiving user only when one is given', () => {
    const body = toRuleBody(form({ actions: [{ ...newAction('move'), to: ' /incoming/{username}/{filename} ', username: ' ops ' },
      { ...newAction('copy'), to: '/archive/{filename}', username: '  ' }] }));
    expect(body.actions).toEqual([{ type: 'move', to: '/incoming/{username}/{filename}', username: 'ops' }, { type: 'copy', to: '/archive/{filename}' }]);
  });
});

describe('what a rule shows', () => {
  it('summarises actions and filters without secrets', () => {
    expect(describeAction(RULE.actions[0])).toBe('webhook https://hooks.example.com/ferry (signed)');
    expect(describeAction({ type: 'webhook', url: 'https://h.example.com', secret: 'generated-secret-value' })).not.toMatch(/generated/);
    expect(describeAction(RULE.actions[1])).toBe('kafka topic ferry-events');
    expect(describeAction({ type: 'move', to: '/incoming/{filename}', username: 'ops' })).toBe('move to ops:/incoming/{filename}');
    expect(describeAction({ type: 'copy', to: '/archive/{filename}' })).toBe('copy to /archive/{filename}');
    expect(describeFilters(RULE)).toBe('users acme; paths /inbox/**/*.csv; at least 1 KiB');
    expect(describeFilters({ usernames: [], paths: [], minSize: null })).toBe('all users');
  });

  it('finds the secrets generated for a change in its answer', () => {
    const answer = { ...RULE, actions: [{ type: 'kafka', topic: 't' }, { type: 'webhook', url: 'https://h.example.com', secret: 's3cr3t-generated' }] };
    expect(shownSecrets(answer)).toEqual([{ index: 1, url: 'https://h.example.com', secret: 's3cr3t-generated' }]);
    expect(shownSecrets(RULE)).toEqual([]);
    expect(formFromRule(answer).actions[1]).toMatchObject({ secret: '', secretSet: true }); // the form never holds it
  });
});
