import { useState, type FormEvent } from 'react';
import { ApiError } from '../lib/api';
import { TextField } from '../components/fields';
import { useSession } from './session';

interface Errors {
  username?: string;
  password?: string;
  form?: string;
}

export function validateLogin(username: string, password: string): Errors {
  const errors: Errors = {};
  if (!username.trim()) errors.username = 'enter the admin account’s name';
  if (!password) errors.password = 'enter the password';
  return errors;
}

export function LoginPage() {
  const { login } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateLogin(username, password);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await login(username.trim(), password);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        setErrors({ form: 'Wrong username or password.' });
      } else if (e instanceof ApiError) {
        setErrors({ ...e.fieldErrors, form: e.message });
      } else {
        setErrors({ form: String(e) });
      }
      setPassword('');
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
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
      </form>
    </main>
  );
}
