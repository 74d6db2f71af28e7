import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Handler } from '../../test/fakeServer';
import { renderSignedIn } from '../../test/renderSignedIn';
import { UsersPage } from './UsersPage';

function user(username: string) {
  return {
    username, hasPassword: false, publicKeys: [], enabled: true, expiresAt: null, storage: { type: 'local' },
    quota: { maxBytes: 0, maxFiles: 0 }, permissions: { '/': ['*'] }, allowedIps: [], maxSessions: 0, maxFileSize: 0,
    bandwidth: { uploadBytesPerSecond: 0, downloadBytesPerSecond: 0 }, usage: { usedBytes: 0, usedFiles: 0 },
    createdAt: '2026-11-24T10:00:00Z', updatedAt: '2026-11-24T10:00:00Z',
  };
}

const PAGE = { content: [user('acme'), { ...user('globex'), source: 'ldap' }, user('initech')], page: 0, size: 20, totalElements: 3 };

function renderUsers(role: 'ADMIN' | 'AUDITOR', handler: Handler) {
  return renderSignedIn('/users', role, { '/users': <UsersPage /> },
    (call) => handler(call) ?? (call.method === 'GET' && call.url.startsWith('/api/v1/users') ? { status: 200, body: PAGE } : undefined));
}

afterEach(() => vi.unstubAllGlobals());

describe('UsersPage', () => {
  it('imports a CSV file as text/csv and lists the rows that failed with their reason', async () => {
    const calls = renderUsers('ADMIN', (call) => call.url === '/api/v1/users/import'
      ? { status: 200, body: { succeeded: 1, failed: 1, results: [
          { row: 2, username: 'newco', status: 'created', field: null, message: null },
          { row: 3, username: 'acme', status: 'failed', field: 'username', message: "a user named 'acme' already exists" }] } }
      : undefined);
    await userEvent.click(await screen.findByText('Import users from CSV'));
    const csv = 'username,publicKey\nnewco,\nacme,\n';
    // (jsdom's File has no text(); browsers' has)
    const file = Object.assign(new File([csv], 'partners.csv', { type: 'text/csv' }), { text: async () => csv });
    await userEvent.upload(screen.getByLabelText('CSV file'), file);
    await userEvent.click(screen.getByRole('button', { name: 'Import' }));
    const report = await screen.findByRole('status');
    expect(report).toHaveTextContent('1 created, 1 failed.');
    expect(within(report).getByRole('row', { name: /3 acme username a user named 'acme' already exists/ })).toBeInTheDocument();
    const sent = calls.find((c) => c.url === '/api/v1/users/import');
    expect(sent?.headers['Content-Type']).toBe('text/csv');
    expect(sent?.body).toBe(csv);
    await waitFor(() => expect(calls.filter((c) => c.method === 'GET' && c.url.startsWith('/api/v1/users?'))).toHaveLength(2));
  });

  it('disables the selected users in one request and deletes only after confirming', async () => {
    const calls = renderUsers('ADMIN', (call) => call.url === '/api/v1/users/bulk'
      ? { status: 200, body: { succeeded: 2, failed: 0, results: [] } }
      : undefined);
    await userEvent.click(await screen.findByLabelText('Select acme'));
    await userEvent.click(screen.getByLabelText('Select initech'));
    await userEvent.click(screen.getByRole('button', { name: 'Disable' }));
    await waitFor(() => expect(calls.find((c) => c.url === '/api/v1/users/bulk')?.body)
      .toEqual({ action: 'disable', usernames: ['acme', 'initech'], purge: false }));
    expect(await screen.findByRole('status')).toHaveTextContent('2 disabled, 0 failed.');
    expect(screen.getByLabelText('Select acme')).not.toBeChecked();

    await userEvent.click(screen.getByLabelText('Select all users on this page'));
    await userEvent.click(screen.getByRole('button', { name: 'Delete…' }));
    expect(calls.filter((c) => c.url === '/api/v1/users/bulk')).toHaveLength(1);
    await userEvent.click(screen.getByLabelText('Also delete their files'));
    await userEvent.click(screen.getByRole('button', { name: 'Delete users', hidden: true }));
    await waitFor(() => expect(calls.filter((c) => c.url === '/api/v1/users/bulk')[1]?.body)
      .toEqual({ action: 'delete', usernames: ['acme', 'globex', 'initech'], purge: true }));
  });

  it('offers no import or selection to an auditor, and marks users from an identity source', async () => {
    renderUsers('AUDITOR', () => undefined);
    expect(await screen.findByText('acme')).toBeInTheDocument();
    expect(screen.getByRole('row', { name: /globex enabled ldap/ })).toBeInTheDocument();
    expect(screen.getByRole('row', { name: /acme enabled local/ })).toBeInTheDocument();
    expect(screen.queryByText('Import users from CSV')).toBeNull();
    expect(screen.queryByLabelText('Select acme')).toBeNull();
  });
});
