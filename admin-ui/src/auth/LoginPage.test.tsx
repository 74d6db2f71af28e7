import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer } from '../test/fakeServer';
import { LoginPage } from './LoginPage';
import { SessionProvider, useSession } from './session';

function Who() {
  const { caller } = useSession();
  return <p>{caller ? `logged in as ${caller.username} (${caller.role})` : 'nobody'}</p>;
}

function renderLogin() {
  render(<SessionProvider><Who /><LoginPage /></SessionProvider>);
}

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = 'XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

describe('LoginPage', () => {
  it('shows what is missing next to each field without calling the server', async () => {
    const calls = fakeServer(() => ({ status: 401, body: { title: 'Unauthorized', status: 401, detail: 'log in' } }));
    renderLogin();
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(screen.getByLabelText('Username')).toHaveAccessibleDescription(/enter the admin account/);
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription('enter the password');
    expect(screen.getByLabelText('Username')).toHaveAttribute('aria-invalid', 'true');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('logs in with the CSRF token from the cookie and the UI marker header', async () => {
    document.cookie = 'XSRF-TOKEN=token-123';
    const calls = fakeServer((call) => call.method === 'POST'
      ? { status: 200, body: { username: 'admin', role: 'AUDITOR', authenticatedBy: 'session' } }
      : { status: 401, body: { title: 'Unauthorized', status: 401, detail: 'log in' } });
    renderLogin();
    await userEvent.type(screen.getByLabelText('Username'), 'admin');
    await userEvent.type(screen.getByLabelText('Password'), 'secret-password');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(screen.getByText('logged in as admin (AUDITOR)')).toBeInTheDocument());
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.url).toBe('/api/v1/session');
    expect(post.body).toEqual({ username: 'admin', password: 'secret-password' });
    expect(post.headers['X-XSRF-TOKEN']).toBe('token-123');
    expect(post.headers['X-Requested-With']).toBe('XMLHttpRequest');
  });

  it('says the credentials are wrong, and shows a throttling message as the server words it', async () => {
    let attempt = 0;
    fakeServer((call) => {
      if (call.method !== 'POST') return { status: 401, body: {} };
      attempt++;
      return attempt === 1
        ? { status: 401, body: { title: 'Login failed', status: 401, detail: 'wrong username or password', field: 'password' } }
        : { status: 429, body: { title: 'Too many failed logins', status: 429, detail: 'try again in 60 seconds' } };
    });
    renderLogin();
    await userEvent.type(screen.getByLabelText('Username'), 'admin');
    await userEvent.type(screen.getByLabelText('Password'), 'wrong');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password.');
    expect(screen.getByLabelText('Password')).toHaveValue('');
    await userEvent.type(screen.getByLabelText('Password'), 'again');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByText('try again in 60 seconds')).toBeInTheDocument();
  });

  it('offers single sign-on when the server says it is configured, and no link when not', async () => {
    fakeServer((call) => call.url === '/api/v1/session/options'
      ? { status: 200, body: { password: true, sso: { provider: 'Keycloak', loginUrl: '/oauth2/authorization/oidc' } } }
      : { status: 401, body: {} });
    renderLogin();
    const link = await screen.findByRole('link', { name: 'Sign in with Keycloak' });
    expect(link).toHaveAttribute('href', '/oauth2/authorization/oidc');
    expect(screen.getByRole('button', { name: 'Log in' })).toBeInTheDocument();
  });

  it('shows no single sign-on link when it is off', async () => {
    const calls = fakeServer((call) => call.url === '/api/v1/session/options'
      ? { status: 200, body: { password: true, sso: null } }
      : { status: 401, body: {} });
    renderLogin();
    await waitFor(() => expect(calls.some((c) => c.url === '/api/v1/session/options')).toBe(true));
    expect(screen.queryByRole('link', { name: /Sign in with/ })).toBeNull();
  });

  it('explains a refused single sign-on once', async () => {
    window.history.replaceState(null, '', '/?sso-error=denied');
    fakeServer(() => ({ status: 401, body: {} }));
    renderLogin();
    expect(await screen.findByRole('alert')).toHaveTextContent(/no Ferry role/);
    expect(window.location.search).toBe('');
  });

  it('asks for the authentication code when the account has two-factor authentication, and sends it with the password', async () => {
    document.cookie = 'XSRF-TOKEN=token-123';
    const calls = fakeServer((call) => {
      if (call.method !== 'POST') return { status: 401, body: {} };
      const body = call.body as { code?: string };
      if (!body.code) return { status: 401, body: { title: 'Code required', status: 401, detail: 'enter the 6-digit code', field: 'code' } };
      if (body.code !== '123456') {
        return { status: 401, body: { title: 'Login failed', status: 401, detail: 'the code is wrong or was already used', field: 'code' } };
      }
      return { status: 200, body: { username: 'admin', role: 'ADMIN', authenticatedBy: 'session', mfaEnabled: true, mfaEnrolmentRequired: false } };
    });
    renderLogin();
    await userEvent.type(screen.getByLabelText('Username'), 'admin');
    await userEvent.type(screen.getByLabelText('Password'), 'secret-password');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    const code = await screen.findByLabelText('Authentication code');
    expect(screen.getByLabelText('Password')).toHaveValue('secret-password');
    await userEvent.type(code, '000000');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByText('the code is wrong or was already used')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Authentication code'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByText('logged in as admin (ADMIN)')).toBeInTheDocument();
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts.at(-1)?.body).toEqual({ username: 'admin', password: 'secret-password', code: '123456' });
  });
});
