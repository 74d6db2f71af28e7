import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Handler } from '../../test/fakeServer';
import { renderSignedIn } from '../../test/renderSignedIn';
import { EventRulePage } from './EventRulePage';
import { EventRulesPage } from './EventRulesPage';

const SECRET = 'whsec-generated-0123456789abcdef';
const RULE = {
  id: 7, name: 'acme-inbox', enabled: true, events: ['UPLOAD'], usernames: ['acme'], groups: [], paths: ['/inbox/**'], minSize: null,
  actions: [{ type: 'webhook', url: 'https://hooks.example.com/ferry', secretSet: true }],
  createdAt: '2026-12-01T10:00:00Z', updatedAt: '2026-12-01T10:00:00Z',
};

function renderAt(path: string, role: 'ADMIN' | 'AUDITOR', handler: Handler) {
  return renderSignedIn(path, role, { '/events': <EventRulesPage />, '/events/:id': <EventRulePage /> }, handler);
}

afterEach(() => vi.unstubAllGlobals());

describe('EventRulePage', () => {
  it('creates a webhook rule and shows the generated secret once, then only that one is set', async () => {
    const calls = renderAt('/events/new', 'ADMIN', (call) => {
      if (call.method === 'POST' && call.url === '/api/v1/event-rules') {
        return { status: 201, body: { ...RULE, actions: [{ type: 'webhook', url: 'https://hooks.example.com/ferry', secretSet: true, secret: SECRET }] } };
      }
      return call.url === '/api/v1/event-rules/7' ? { status: 200, body: RULE } : undefined;
    });
    await userEvent.type(await screen.findByLabelText('Name'), 'acme-inbox');
    await userEvent.type(screen.getByLabelText('Action 1 URL'), 'https://hooks.example.com/ferry');
    await userEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    expect(await screen.findByRole('heading', { name: 'Webhook secret, shown once' })).toBeInTheDocument();
    expect(screen.getByLabelText('Secret of action 1')).toHaveTextContent(SECRET);
    expect(screen.getByRole('heading', { name: 'Event rule acme-inbox' })).toBeInTheDocument();
    expect(screen.getByText('Created acme-inbox.')).toBeInTheDocument();
    expect(screen.getByLabelText('Action 1 secret')).toHaveValue(''); // never copied into the form
    expect(screen.getByLabelText('Action 1 secret')).toHaveAccessibleDescription(/set; leave empty to keep it/);
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toEqual({
      name: 'acme-inbox', enabled: true, events: ['UPLOAD'], usernames: [], groups: [], paths: [], minSize: null,
      actions: [{ type: 'webhook', url: 'https://hooks.example.com/ferry' }],
    });
    // the rule's address now, answered by the handed-over rule: no second request for it
    expect(calls.filter((c) => c.url === '/api/v1/event-rules/7')).toHaveLength(0);
  });

  it('shows the server’s problem next to the action field it names', async () => {
    renderAt('/events/new', 'ADMIN', (call) => call.method === 'POST'
      ? { status: 400, body: { title: 'Invalid input', status: 400, detail: 'actions[1].url points at a loopback address; set sftp.events.allow-private-targets', field: 'actions[1].url' } }
      : undefined);
    await userEvent.type(await screen.findByLabelText('Name'), 'acme-inbox');
    await userEvent.type(screen.getByLabelText('Action 1 URL'), 'https://hooks.example.com/ferry');
    await userEvent.click(screen.getByRole('button', { name: 'Add a webhook' }));
    await userEvent.type(screen.getByLabelText('Action 2 URL'), 'http://127.0.0.1:9/hook');
    await userEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    await waitFor(() => expect(screen.getByLabelText('Action 2 URL')).toHaveAccessibleDescription(/points at a loopback address/));
    expect(screen.getByLabelText('Action 1 URL')).not.toHaveAccessibleDescription(/loopback/);
  });

  it('creates a move rule: target and receiving user sent, placeholders explained, the server’s refusal under the user field', async () => {
    let refuse = true;
    const calls = renderAt('/events/new', 'ADMIN', (call) => {
      if (call.method === 'POST' && refuse) {
        refuse = false;
        return { status: 400, body: { title: 'Invalid input', status: 400, field: 'actions[0].username',
          detail: "actions[0].username: no user named 'opz'; leave it out to keep the file in its own user's home" } };
      }
      if (call.method === 'POST') {
        return { status: 201, body: { ...RULE, actions: [{ type: 'move', to: '/incoming/{username}/{filename}', username: 'ops' }] } };
      }
      return undefined;
    });
    await userEvent.type(await screen.findByLabelText('Name'), 'acme-inbox');
    await userEvent.click(screen.getByRole('button', { name: 'Remove action 1' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add a move' }));
    expect(screen.getByLabelText('Action 1 type')).toHaveValue('move');
    const target = screen.getByLabelText('Action 1 target path');
    expect(target).toHaveAccessibleDescription(/\{filename\} the file’s name.*\{path\} its directory.*\{username\} its user.*\{date\} the event’s day/);
    await userEvent.type(target, 'incoming/{{filename}');
    await userEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    expect(target).toHaveAccessibleDescription(/start with \//); // checked here, not sent
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    await userEvent.clear(target);
    await userEvent.type(target, '/incoming/{{username}/{{filename}');
    await userEvent.type(screen.getByLabelText('Action 1 receiving user'), 'opz');
    await userEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    await waitFor(() => expect(screen.getByLabelText('Action 1 receiving user')).toHaveAccessibleDescription(/no user named 'opz'/));
    expect(target).not.toHaveAccessibleDescription(/no user named/);
    await userEvent.clear(screen.getByLabelText('Action 1 receiving user'));
    await userEvent.type(screen.getByLabelText('Action 1 receiving user'), 'ops');
    await userEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    expect(await screen.findByText('Created acme-inbox.')).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: /shown once/ })).toBeNull();
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(2);
    expect((posts[1].body as { actions: unknown[] }).actions).toEqual([{ type: 'move', to: '/incoming/{username}/{filename}', username: 'ops' }]);
    expect(screen.getByLabelText('Action 1 target path')).toHaveValue('/incoming/{username}/{filename}');
  });

  it('validates before sending', async () => {
    const calls = renderAt('/events/new', 'ADMIN', () => undefined);
    await userEvent.type(await screen.findByLabelText('Name'), '42');
    await userEvent.click(screen.getByRole('checkbox', { name: 'UPLOAD' }));
    await userEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    expect(screen.getByLabelText('Name')).toHaveAccessibleDescription(/not only digits/);
    expect(screen.getByLabelText('Action 1 URL')).toHaveAccessibleDescription(/required/);
    expect(screen.getByText('choose at least one event type')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('saves with PUT keeping the webhook secret, and deletes after a confirmation', async () => {
    const calls = renderAt('/events/7', 'ADMIN', (call) => {
      if (call.url !== '/api/v1/event-rules/7') return undefined;
      if (call.method === 'DELETE') return { status: 204 };
      return { status: 200, body: call.method === 'PUT' ? { ...RULE, paths: ['/inbox/**/*.csv'] } : RULE };
    });
    const paths = await screen.findByLabelText('Path globs');
    await userEvent.clear(paths);
    await userEvent.type(paths, '/inbox/**/*.csv');
    await userEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Saved acme-inbox.')).toBeInTheDocument();
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.body).toMatchObject({ paths: ['/inbox/**/*.csv'], actions: [{ type: 'webhook', url: 'https://hooks.example.com/ferry' }] });
    expect(screen.queryByRole('heading', { name: /shown once/ })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Delete rule' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE')).toBe(true));
  });

  it('lets an auditor read a rule without write controls or secret fields', async () => {
    renderAt('/events/7', 'AUDITOR', (call) => (call.url === '/api/v1/event-rules/7' ? { status: 200, body: RULE } : undefined));
    expect(await screen.findByRole('heading', { name: 'Event rule acme-inbox' })).toBeInTheDocument();
    expect(screen.getByLabelText('Action 1 URL')).toBeDisabled();
    expect(screen.queryByLabelText('Action 1 secret')).toBeNull();
    expect(screen.queryByRole('button', { name: /Save|Delete|Add a|Remove/ })).toBeNull();
    expect(screen.getByRole('link', { name: 'Deliveries of acme-inbox' })).toHaveAttribute('href', '/events/deliveries?rule=acme-inbox');
  });
});

describe('EventRulesPage', () => {
  it('lists rules with their filters and actions, never a secret, and links to their deliveries', async () => {
    renderAt('/events', 'AUDITOR', (call) => (call.url === '/api/v1/event-rules'
      ? { status: 200, body: [{ ...RULE, actions: [...RULE.actions, { type: 'copy', to: '/archive/{filename}', username: 'ops' }] }, { ...RULE, id: 8, name: 'to-kafka', enabled: false, usernames: [], paths: [], actions: [{ type: 'kafka', topic: 'ferry-events' }] }] }
      : undefined));
    const row = (await screen.findByRole('rowheader', { name: 'acme-inbox' })).closest('tr')!;
    expect(row).toHaveTextContent('webhook https://hooks.example.com/ferry (signed)');
    expect(row).toHaveTextContent('users acme; paths /inbox/**');
    expect(within(row).getByRole('link', { name: 'Deliveries of acme-inbox' })).toHaveAttribute('href', '/events/deliveries?rule=acme-inbox');
    expect(row).toHaveTextContent('copy to ops:/archive/{filename}');
    const kafka = screen.getByRole('rowheader', { name: 'to-kafka' }).closest('tr')!;
    expect(kafka).toHaveTextContent('disabled');
    expect(kafka).toHaveTextContent('kafka topic ferry-events');
    expect(screen.queryByRole('link', { name: 'New rule' })).toBeNull();
  });
});
