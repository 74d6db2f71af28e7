import { useState } from 'react';
import { ApiError } from '../../lib/api';
import { usersApi, type TotpEnrolment, type User } from './api';

/**
 * The TOTP authenticator of a user with the key+totp login policy: enrol one (the QR code and
 * secret are shown this once, to hand to the partner) or remove it (a lost device).
 */
export function TotpAuthenticator({ user, canWrite, onChanged }: { user: User; canWrite: boolean; onChanged: () => void }) {
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<unknown>) {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      onChanged();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <fieldset>
      <legend>TOTP authenticator</legend>
      <p>{user.totpEnrolled ? 'Enrolled.' : user.loginPolicy === 'key+totp'
        ? 'None enrolled: this user cannot log in until one is.' : 'None enrolled (needed by the key+totp login policy).'}</p>
      {error && <p className="alert error" role="alert">{error}</p>}
      {enrolment && (
        <div role="status">
          <p>Give this to {user.username} for their authenticator app now: it is not shown again.</p>
          <img className="qr-code" src={enrolment.qrCode} alt={`QR code of ${user.username}'s TOTP secret`} width={200} height={200} />
          <p>Secret: <code className="secret">{enrolment.secret}</code></p>
          <button type="button" onClick={() => setEnrolment(null)}>Done</button>
        </div>
      )}
      {canWrite && !enrolment && (user.totpEnrolled ? (
        <button type="button" className="danger" disabled={busy}
          onClick={() => void run(() => usersApi.removeTotp(user.username))}>Remove the authenticator</button>
      ) : (
        <button type="button" disabled={busy}
          onClick={() => void run(async () => setEnrolment(await usersApi.enrolTotp(user.username)))}>Enrol an authenticator</button>
      ))}
    </fieldset>
  );
}
