import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Handler } from '../../test/fakeServer';
import { renderSignedIn } from '../../test/renderSignedIn';
import { GroupPage } from './GroupPage';
import { GroupsPage } from './GroupsPage';

const GROUP = {
  name: 'partners', permissions: { '/': ['list'], '/inbox': ['list', 'upload'] }, quota: { maxBytes: 0, maxFiles: 100 },
  allowedIps: [], maxSessions: 2, bandwidth: { uploadBytesPerSecond: 0, downloadBytesPerSecond: 0 }, storage: null,
  virtualFolders: [], members: 3, createdAt: '2026-11-24T10:00:00Z', updatedAt: '2026-11-24T10:00:00Z',
};

function renderAt(path: string, role: 'ADMIN' | 'AUDITOR', handler: Handler) {
  return renderSignedIn(path, role, { '/groups': <GroupsPage />, '/groups/:name': <GroupPage /> }, handler);
}

afterEach(() => vi.unstubAllGlobals());

describe('Groups', () => {
  it('lists groups with their member counts', async () => {
    renderAt('/groups', 'AUDITOR', (call) => (call.url === '/api/v1/groups' ? { status: 200, body: [GROUP] } : undefined));
    expect(await screen.findByRole('link', { name: 'partners' })).toBeInTheDocument();
    expect(screen.getByRole('row', { name: /partners 3 100 files 2/ })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'New group' })).toBeNull();
  });

  it('creates a group with what the form holds', async () => {
    const calls = renderAt('/groups/new', 'ADMIN', (call) => (call.method === 'POST'
      ? { status: 201, body: { ...GROUP, name: 'ops', members: 0 } }
      : call.url === '/api/v1/groups/ops' ? { status: 200, body: { ...GROUP, name: 'ops', members: 0 } } : undefined));
    await userEvent.type(await screen.findByLabelText('Name'), 'ops');
    await userEvent.clear(screen.getByLabelText('Max sessions'));
    await userEvent.type(screen.getByLabelText('Max sessions'), '4');
    await userEvent.click(screen.getByRole('button', { name: 'Create group' }));
    expect(await screen.findByText('Created ops.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')!.body).toMatchObject({ name: 'ops', maxSessions: 4, permissions: {} });
  });

  it('shows the server’s refusal to delete a group that users still list', async () => {
    renderAt('/groups/partners', 'ADMIN', (call) => (call.method === 'DELETE'
      ? { status: 409, body: { title: 'Conflict', status: 409, detail: "group 'partners' still has 3 members (a1, a2, a3): remove it from their groups first", field: 'name' } }
      : call.url === '/api/v1/groups/partners' ? { status: 200, body: GROUP } : undefined));
    await userEvent.click(await screen.findByRole('button', { name: 'Delete group' }));
    await userEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.getByText(/still has 3 members \(a1, a2, a3\)/)).toBeInTheDocument());
  });
});
