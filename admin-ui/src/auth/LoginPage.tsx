import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api } from '../lib/api';
import { TextField } from '../components/fields';
import { useSession } from './session';

interface Errors {
  username?: string;
  password?: string;
  code?: string;
  form?: string;
}

export function validateLogin(username: string, password: string): Errors {
  const errors: Errors = {};
  if (!username.trim()) errors.username = 'enter the admin account’s name';
  if (!password) errors.password = 'enter the password';
  return errors;
}

/** GET /api/v1/session/options: whether single sign-on is offered, and where it starts. */
interface LoginOptions {
  password: boolean;
  sso?: { provider: string; loginUrl: string } | null;
}

/** Why the last single sign-on came back without a session (`?sso-error=` set by the server). */
export function ssoErrorMessage(code: string | null): string | undefined {
  if (code === 'denied') {
    return 'You signed in at your identity provider, but your account has no Ferry role: ask to be added to the group for Ferry admins or auditors.';
  }
  if (code) return 'Single sign-on did not complete: try again, or log in with an admin account’s password.';
  return undefined;
}

export function LoginPage() {
  const { login } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>(() => {
    const sso = ssoErrorMessage(new URLSearchParams(window.location.search).get('sso-error'));
    return sso ? { form: sso } : {};
  });
  const [busy, setBusy] = useState(false);
  const [sso, setSso] = useState<LoginOptions['sso']>(null);
  // shown once the server said this account needs a second factor
  const [askCode, setAskCode] = useState(false);
  const [code, setCode] = useState('');

  useEffect(() => {
    let cancelled = false;
    api.get<LoginOptions>('/api/v1/session/options')
      .then((options) => !cancelled && setSso(options.sso ?? null))
      .catch(() => !cancelled && setSso(null)); // the password form works without it
    // the error is shown once: a reload starts clean
    if (window.location.search.includes('sso-error')) window.history.replaceState(null, '', window.location.pathname);
    return () => {
      cancelled = true;
    };
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateLogin(username, password);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await login(username.trim(), password, askCode ? code.trim() : undefined);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401 && e.fieldErrors.code) {
        // the password was right: keep it, and ask for (another) code
        setErrors(askCode ? { code: e.fieldErrors.code } : {});
        setAskCode(true);
        setCode('');
        return;
      }
      if (e instanceof ApiError && e.status === 401) {
        setErrors({ form: 'Wrong username or password.' });
      } else if (e instanceof ApiError) {
        setErrors({ ...e.fieldErrors, form: e.message });
      } else {
        setErrors({ form: String(e) });
      }
      setPassword('');
      setCode('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} noValidate aria-labelledby="login-title">
        <h1 id="login-title">Ferry admin</h1>
        <p className="muted">Log in with an admin account.</p>
        {errors.form && <p className="alert error" role="alert">{errors.form}</p>}
        <TextField label="Username" name="username" value={username} onChange={setUsername}
          error={errors.username} autoComplete="username" autoFocus required />
        <TextField label="Password" name="password" type="password" value={password} onChange={setPassword}
          error={errors.password} autoComplete="current-password" required />
        {askCode && (
          <TextField label="Authentication code" name="code" value={code} onChange={setCode} error={errors.code}
            help="The 6 digits your authenticator app shows, or one of your recovery codes."
            autoComplete="one-time-code" inputMode="numeric" autoFocus required />
        )}
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
        {sso && (
          <>
            <p className="login-or muted">or</p>
            <a className="button login-sso" href={sso.loginUrl}>Sign in with {sso.provider}</a>
          </>
        )}
      </form>
    </main>
  );
}
