import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionProvider } from '../../auth/session';
import { fakeServer, type Call } from '../../test/fakeServer';
import { KeysPage } from './KeysPage';

const LINE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl partner laptop';
const daysAgo = (n: number) => new Date(Date.now() - n * 24 * 60 * 60 * 1000).toISOString();
const key = (id: number, label: string, lastUsedAt: string | null, expiresAt: string | null = null) => ({
  id, type: 'ssh-ed25519', publicKey: LINE, comment: null, fingerprint: `SHA256:key${id}`, createdAt: daysAgo(200),
  label, expiresAt, lastUsedAt,
});
const KEYS = [key(1, 'laptop', daysAgo(1)), key(2, 'old backup', daysAgo(120)), key(3, 'retired', daysAgo(2), daysAgo(1))];

function renderKeys(handler: (call: Call) => { status: number; body?: unknown } | undefined) {
  const calls = fakeServer((call) => call.url === '/api/v1/session'
    ? { status: 200, body: { username: 'someone', role: 'ADMIN', authenticatedBy: 'session' } }
    : handler(call));
  render(
    <MemoryRouter initialEntries={['/users/acme/keys']}>
      <SessionProvider>
        <Routes><Route path="/users/:username/keys" element={<KeysPage />} /></Routes>
      </SessionProvider>
    </MemoryRouter>,
  );
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe('KeysPage', () => {
  it('lists keys by last use, least recent first, and flags unused and expired ones', async () => {
    renderKeys((call) => call.method === 'GET' ? { status: 200, body: KEYS } : undefined);
    await screen.findByText('laptop');
    const labels = () => screen.getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell')[0].textContent);
    expect(labels()).toEqual(['old backup', 'retired', 'laptop']);
    expect(within(screen.getByText('old backup').closest('tr')!).getByText(/unused for 90\+ days/)).toBeInTheDocument();
    expect(within(screen.getByText('retired').closest('tr')!).getByText(/expired/)).toBeInTheDocument();
    expect(within(screen.getByText('laptop').closest('tr')!).queryByText(/unused|expired/)).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: /Last used/ }));
    expect(labels()).toEqual(['laptop', 'retired', 'old backup']);
  });

  it('sends the label and expiry of a new key', async () => {
    const calls = renderKeys((call) => call.method === 'GET' ? { status: 200, body: [] }
      : call.method === 'POST' ? { status: 201, body: key(9, 'nightly job', null) } : undefined);
    await userEvent.click(await screen.findByLabelText('Public key'));
    await userEvent.paste(LINE);
    await userEvent.type(screen.getByLabelText('Label'), 'nightly job');
    await userEvent.type(screen.getByLabelText('Expires'), '2027-01-01T00:00');
    await userEvent.click(screen.getByRole('button', { name: 'Add key' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    const body = calls.find((c) => c.method === 'POST')!.body as { publicKey: string; label: string; expiresAt: string };
    expect(body.publicKey).toBe(LINE);
    expect(body.label).toBe('nightly job');
    expect(new Date(body.expiresAt).getTime()).toBe(new Date(2027, 0, 1, 0, 0).getTime());
  });
});
