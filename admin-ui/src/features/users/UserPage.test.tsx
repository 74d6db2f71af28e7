import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Handler } from '../../test/fakeServer';
import { renderSignedIn } from '../../test/renderSignedIn';
import { UserPage } from './UserPage';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl partner laptop';
const USER = {
  username: 'acme', hasPassword: false, publicKeys: [KEY], enabled: true, expiresAt: null, storage: { type: 'local' },
  quota: { maxBytes: 1000, maxFiles: 0 }, permissions: { '/': ['*'] }, allowedIps: [], maxSessions: 0, maxFileSize: 0,
  bandwidth: { uploadBytesPerSecond: 0, downloadBytesPerSecond: 0 }, usage: { usedBytes: 250, usedFiles: 1 },
  createdAt: '2026-11-24T10:00:00Z', updatedAt: '2026-11-24T10:00:00Z', source: 'local', loginPolicy: 'any', totpEnrolled: false,
};

function renderAt(path: string, role: 'ADMIN' | 'AUDITOR', handler: Handler) {
  return renderSignedIn(path, role, { '/users/new': <UserPage />, '/users/:username': <UserPage /> }, handler);
}

afterEach(() => vi.unstubAllGlobals());

describe('UserPage', () => {
  it('shows the server’s problem next to the field it names', async () => {
    renderAt('/users/new', 'ADMIN', (call) => call.method === 'POST'
      ? { status: 400, body: { title: 'Invalid input', status: 400, detail: "storage type 's3' is not available on this server", field: 'storage.type' } }
      : undefined);
    await userEvent.type(await screen.findByLabelText('Username'), 'acme');
    await userEvent.click(screen.getByLabelText('Public keys'));
    await userEvent.paste(KEY);
    await userEvent.selectOptions(screen.getByLabelText('Storage type'), 's3');
    await userEvent.type(screen.getByLabelText('Bucket'), 'partner-bucket');
    await userEvent.click(screen.getByRole('button', { name: 'Create user' }));
    await waitFor(() => expect(screen.getByLabelText('Storage type')).toHaveAccessibleDescription(/not available on this server/));
  });

  it('validates before sending', async () => {
    const calls = renderAt('/users/new', 'ADMIN', () => undefined);
    await userEvent.type(await screen.findByLabelText('Username'), 'x');
    await userEvent.clear(screen.getByLabelText('Quota (bytes)'));
    await userEvent.type(screen.getByLabelText('Quota (bytes)'), '-5');
    await userEvent.click(screen.getByRole('button', { name: 'Create user' }));
    expect(screen.getByLabelText('Username')).toHaveAccessibleDescription(/2 to 64 characters/);
    expect(screen.getByLabelText('Quota (bytes)')).toHaveAccessibleDescription(/whole number/);
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('never renders typed text as HTML', async () => {
    renderAt('/users/new', 'ADMIN', (call) => call.method === 'POST'
      ? { status: 400, body: { title: 'Invalid input', status: 400, detail: "'<img src=x onerror=alert(1)>' is not an IP address", field: 'allowedIps' } }
      : undefined);
    await userEvent.type(await screen.findByLabelText('Username'), 'acme');
    await userEvent.click(screen.getByLabelText('Public keys'));
    await userEvent.paste(KEY);
    await userEvent.click(screen.getByRole('button', { name: 'Create user' }));
    await screen.findByText("'<img src=x onerror=alert(1)>' is not an IP address");
    expect(document.querySelector('img')).toBeNull();
  });

  it('shows a usage bar, and an auditor gets no write controls', async () => {
    renderAt('/users/acme', 'AUDITOR', (call) => (call.url === '/api/v1/users/acme' ? { status: 200, body: USER } : undefined));
    expect(await screen.findByRole('heading', { name: 'User acme' })).toBeInTheDocument();
    expect(screen.getByRole('meter', { name: /Storage used: 25% used/ })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Save|Delete|Add a path|Remove/ })).toBeNull();
    expect(screen.queryByLabelText('New password')).toBeNull();
    expect(screen.getByLabelText('Max sessions')).toBeDisabled();
  });

  it('shows sizes in the units the admin entered: a 100 MiB quota is 100 MiB, not 1 MiB', async () => {
    const user = { ...USER, quota: { maxBytes: 104857600, maxFiles: 0 }, maxFileSize: 10 * 1024 ** 3, usage: { usedBytes: 0, usedFiles: 0 } };
    renderAt('/users/acme', 'ADMIN', (call) => (call.url === '/api/v1/users/acme' ? { status: 200, body: user } : undefined));
    expect(await screen.findByText('0 B of 100 MiB (0%)')).toBeInTheDocument();
    expect(screen.getByLabelText('Quota (bytes)')).toHaveAccessibleDescription('= 100 MiB');
    expect(screen.getByLabelText('Largest file (bytes)')).toHaveAccessibleDescription('= 10 GiB');
    await userEvent.clear(screen.getByLabelText('Quota (bytes)'));
    await userEvent.type(screen.getByLabelText('Quota (bytes)'), '1000000000000');
    expect(screen.getByLabelText('Quota (bytes)')).toHaveAccessibleDescription('= 931 GiB');
    await userEvent.clear(screen.getByLabelText('Upload bandwidth (bytes/s)'));
    await userEvent.type(screen.getByLabelText('Upload bandwidth (bytes/s)'), '10485760');
    expect(screen.getByLabelText('Upload bandwidth (bytes/s)')).toHaveAccessibleDescription('= 10 MiB/s');
  });

  it('lets an admin save changes with PUT, keeping keys and password', async () => {
    const calls = renderAt('/users/acme', 'ADMIN', (call) => (call.url === '/api/v1/users/acme' ? { status: 200, body: USER } : undefined));
    const sessions = await screen.findByLabelText('Max sessions');
    await userEvent.clear(sessions);
    await userEvent.type(sessions, '3');
    await userEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Saved acme.')).toBeInTheDocument();
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.body).toMatchObject({ username: 'acme', maxSessions: 3 });
    expect(put.body).not.toHaveProperty('publicKeys');
    expect(put.body).not.toHaveProperty('password');
  });

  it('saves the login policy and enrols a TOTP authenticator, showing its secret once', async () => {
    let user: typeof USER = USER;
    const calls = renderAt('/users/acme', 'ADMIN', (call) => {
      if (call.url === '/api/v1/users/acme' && call.method === 'PUT') {
        user = { ...user, loginPolicy: 'key+totp' };
        return { status: 200, body: user };
      }
      if (call.url === '/api/v1/users/acme/totp' && call.method === 'POST') {
        user = { ...user, totpEnrolled: true };
        return { status: 201, body: { secret: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/Ferry:acme?secret=JBSWY3DPEHPK3PXP', qrCode: 'data:image/png;base64,AA==' } };
      }
      return call.url === '/api/v1/users/acme' ? { status: 200, body: user } : undefined;
    });
    await userEvent.selectOptions(await screen.findByLabelText('Login policy'), 'key+totp');
    await userEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Saved acme.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')!.body).toMatchObject({ loginPolicy: 'key+totp' });
    expect(await screen.findByText(/cannot log in until one is/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Enrol an authenticator' }));
    expect(await screen.findByText('JBSWY3DPEHPK3PXP')).toBeInTheDocument();
    expect(screen.getByRole('img', { name: /QR code of acme/ })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByText('JBSWY3DPEHPK3PXP')).toBeNull();
    expect(await screen.findByRole('button', { name: 'Remove the authenticator' })).toBeInTheDocument();
  });

  it('sends the groups in order and shows where each setting in force comes from', async () => {
    const member = {
      ...USER, permissions: {}, groups: ['partners', 'ops'],
      effective: {
        permissions: { '/': { value: ['list'], source: 'group:partners' }, '/inbox': { value: ['upload', 'list'], source: 'group:partners,group:ops' } },
        quota: { maxBytes: { value: 1000, source: 'user' }, maxFiles: { value: 10, source: 'group:ops' } },
        allowedIps: { value: [], source: 'default' }, maxSessions: { value: 2, source: 'group:partners' },
        bandwidth: { uploadBytesPerSecond: { value: 0, source: 'default' }, downloadBytesPerSecond: { value: 0, source: 'default' } },
      },
    };
    const calls = renderAt('/users/acme', 'ADMIN', (call) => (call.url === '/api/v1/users/acme' ? { status: 200, body: member } : undefined));
    expect(await screen.findByRole('heading', { name: 'Effective settings' })).toBeInTheDocument();
    expect(screen.getByRole('row', { name: /permissions \/inbox upload, list group:partners,group:ops/ })).toBeInTheDocument();
    expect(screen.getByRole('row', { name: /quota \(files\) 10 group:ops/ })).toBeInTheDocument();
    expect(screen.getByRole('row', { name: /allowed IP addresses any default/ })).toBeInTheDocument();
    expect(screen.getByLabelText('Groups')).toHaveValue('partners, ops');
    await userEvent.clear(screen.getByLabelText('Groups'));
    await userEvent.type(screen.getByLabelText('Groups'), 'ops, partners');
    await userEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Saved acme.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')!.body).toMatchObject({ groups: ['ops', 'partners'], permissions: {} });
  });
});
