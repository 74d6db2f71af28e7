import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../lib/api';
import { TextField } from '../components/fields';
import { useSession } from './session';

/** POST /api/v1/session/mfa/enrolment */
interface Enrolment {
  secret: string;
  otpauthUri: string;
  /** data:image/png;base64,... */
  qrCode: string;
}

/**
 * Two-factor authentication of the logged-in local admin: set up an authenticator app (QR code or
 * the secret typed by hand), confirm with a code, and save the recovery codes shown this once. Also
 * the only page of a session whose admin must enrol first (`required`).
 */
export function MfaPage({ required = false }: { required?: boolean }) {
  const { caller, refresh, logout } = useSession();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);

  if (caller?.authenticatedBy !== 'session') {
    return (
      <section>
        <h1>Two-factor authentication</h1>
        <p>Two-factor authentication is set up by a local admin account logged in with its password. Single sign-on
          admins use their identity provider’s.</p>
      </section>
    );
  }

  async function start() {
    setBusy(true);
    setError(undefined);
    try {
      setEnrolment(await api.post<Enrolment>('/api/v1/session/mfa/enrolment', {}));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  async function confirm(event: FormEvent) {
    event.preventDefault();
    if (!/^\d{6}$/.test(code.trim())) {
      setError('enter the 6 digits your authenticator app shows');
      return;
    }
    setBusy(true);
    try {
      const answer = await api.post<{ recoveryCodes: string[] }>('/api/v1/session/mfa', { code: code.trim() });
      setRecoveryCodes(answer.recoveryCodes);
      setError(undefined);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
      setCode('');
    } finally {
      setBusy(false);
    }
  }

  const content = recoveryCodes ? (
    <>
      <p className="alert success" role="status">Two-factor authentication is on.</p>
      <h2>Recovery codes, shown once</h2>
      <p>Each works once in place of a code when your device is not at hand. Save them somewhere safe now: Ferry keeps
        only their hashes.</p>
      <ul className="recovery-codes" aria-label="Recovery codes">
        {recoveryCodes.map((c) => <li key={c}><code>{c}</code></li>)}
      </ul>
      <button type="button" className="primary" onClick={() => {
        setRecoveryCodes(null);
        setEnrolment(null);
        void refresh();
      }}>I have saved them</button>
    </>
  ) : caller.mfaEnabled ? (
    <p>Two-factor authentication is on for <strong>{caller.username}</strong>. To move to a new device, ask another
      ADMIN to reset it.</p>
  ) : enrolment ? (
    <form onSubmit={confirm} noValidate>
      <p>Scan this code with an authenticator app (any TOTP app), or type the secret into it by hand.</p>
      <img className="qr-code" src={enrolment.qrCode} alt="QR code of the secret for your authenticator app" width={200} height={200} />
      <p>Secret: <code className="secret">{enrolment.secret}</code></p>
      <TextField label="Code from the app" name="code" value={code} onChange={setCode} error={error}
        autoComplete="one-time-code" inputMode="numeric" required />
      <button type="submit" className="primary" disabled={busy}>Turn on</button>
    </form>
  ) : (
    <>
      <p>{required ? 'Your account must use two-factor authentication: set it up to continue.'
        : 'Protect this account with a code from an authenticator app besides the password.'}</p>
      {error && <p className="alert error" role="alert">{error}</p>}
      <button type="button" className="primary" onClick={() => void start()} disabled={busy}>Set up two-factor authentication</button>
    </>
  );

  return required ? (
    <main className="login">
      <section className="card login-card" aria-labelledby="mfa-title">
        <h1 id="mfa-title">Two-factor authentication</h1>
        {content}
        {!recoveryCodes && <button type="button" onClick={() => void logout()}>Log out</button>}
      </section>
    </main>
  ) : (
    <section aria-labelledby="mfa-title">
      <h1 id="mfa-title">Two-factor authentication</h1>
      {content}
    </section>
  );
}
