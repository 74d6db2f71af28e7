import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useCanWrite } from '../../auth/session';
import { ErrorAlert, Notice } from '../../components/Alert';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Checkbox, Field, TextAreaField, TextField } from '../../components/fields';
import { UsageMeter } from '../../components/UsageMeter';
import { formatBytes, formatTime } from '../../lib/format';
import { useEditForm } from '../../lib/useEditForm';
import { useResource } from '../../lib/useResource';
import { LOGIN_POLICIES, usersApi, type LoginPolicy, type User } from './api';
import { EffectiveSettings } from './EffectiveSettings';
import { PermissionsEditor } from './PermissionsEditor';
import { TotpAuthenticator } from './TotpAuthenticator';
import { emptyForm, formFromUser, toUserBody, validateUserForm } from './userForm';

/** /users/new and /users/:username: create, view, edit and delete a user. */
export function UserPage() {
  const { username } = useParams();
  const creating = username === undefined;
  const existing = useResource((signal) => (creating ? Promise.resolve(undefined) : usersApi.get(username, signal)), username ?? '');
  if (!creating && existing.error) {
    return <section><h1>User {username}</h1><ErrorAlert error={existing.error} /><Link to="/users">Back to users</Link></section>;
  }
  if (!creating && !existing.data) return <p aria-live="polite">Loading…</p>;
  return <UserEditor key={username ?? 'new'} user={existing.data} onSaved={existing.reload} />;
}

/** Where a user comes from: local users are managed here; the others' logins are decided by their source. */
export function sourceLabel(source: string | undefined): string {
  switch (source) {
    case 'ldap': return 'LDAP directory (it decides every login)';
    case 'hook': return 'auth hook (it decides every login)';
    default: return 'local';
  }
}

function UserEditor({ user, onSaved }: { user?: User; onSaved: () => void }) {
  const creating = !user;
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const { form, setForm, set, errors, failure, saved, setSaved, busy, confirmDelete, setConfirmDelete, submit, remove } = useEditForm(
    () => (user ? formFromUser(user) : emptyForm()),
    {
      validate: (f) => validateUserForm(f, creating),
      fieldErrors: (e) => (Object.keys(e.fieldErrors).length > 0 ? e.fieldErrors : undefined),
    },
  );
  const [purge, setPurge] = useState(false);

  useEffect(() => {
    if (user) setForm(formFromUser(user));
  }, [user, setForm]);

  async function save(event: FormEvent) {
    await submit(event, async (f) => {
      const body = toUserBody(f, creating);
      if (creating) {
        const created = await usersApi.create(body);
        navigate(`/users/${encodeURIComponent(created.username)}`, { state: { created: true } });
      } else {
        await usersApi.replace(user.username, body);
        setSaved(`Saved ${user.username}.`);
        onSaved();
      }
    });
  }

  const title = creating ? 'New user' : `User ${user.username}`;
  return (
    <section aria-labelledby="user-title">
      <div className="page-head">
        <h1 id="user-title">{title}</h1>
        {user && <Link className="button" to={`/users/${encodeURIComponent(user.username)}/keys`}>SSH keys ({user.publicKeys.length})</Link>}
      </div>
      <p><Link to="/users">← All users</Link></p>
      {saved && <Notice>{saved}</Notice>}
      <ErrorAlert error={failure} />
      {Object.keys(errors).length > 0 && <p className="alert error" role="alert">Some fields need attention: see the messages below them.</p>}
      {user && (
        <dl className="facts">
          <div><dt>Storage used</dt><dd><UsageMeter label="Storage used" used={user.usage?.usedBytes ?? 0} max={user.quota?.maxBytes ?? 0} /></dd></div>
          <div><dt>Files</dt><dd><UsageMeter label="Files" used={user.usage?.usedFiles ?? 0} max={user.quota?.maxFiles ?? 0} bytes={false} /></dd></div>
          <div><dt>Source</dt><dd>{sourceLabel(user.source)}</dd></div>
          <div><dt>Password</dt><dd>{user.hasPassword ? 'set' : 'none (keys only)'}</dd></div>
          <div><dt>Created</dt><dd>{formatTime(user.createdAt)}</dd></div>
          <div><dt>Updated</dt><dd>{formatTime(user.updatedAt)}</dd></div>
        </dl>
      )}
      <form onSubmit={save} noValidate className="user-form">
        <fieldset disabled={!canWrite || busy} className="plain">
          <fieldset>
            <legend>Account</legend>
            {creating && (
              <TextField label="Username" name="username" value={form.username} onChange={set('username')} error={errors.username}
                help="2 to 64 characters: letters, digits, . _ - (it names the home directory; cannot be changed later)" required autoComplete="off" />
            )}
            {canWrite && (
              <TextField label={creating ? 'Password (optional)' : 'New password'} name="password" type="password" value={form.password}
                onChange={set('password')} error={errors.password} autoComplete="new-password"
                help={creating ? '8 characters or more; leave empty for key-only login' : 'leave empty to keep the current password'} />
            )}
            {!creating && user.hasPassword && canWrite && (
              <Checkbox label="Remove the password (key-only login)" name="removePassword" checked={form.removePassword} onChange={set('removePassword')} />
            )}
            {creating && (
              <TextAreaField label="Public keys" name="publicKeys" value={form.publicKeys} onChange={set('publicKeys')} error={errors.publicKeys}
                rows={4} placeholder="ssh-ed25519 AAAAC3Nz... partner laptop" help="one OpenSSH public key per line; more can be added later" />
            )}
            <Checkbox label="Enabled (may log in)" name="enabled" checked={form.enabled} onChange={set('enabled')} />
            <TextField label="Expires" name="expiresAt" type="datetime-local" value={form.expiresAt} onChange={set('expiresAt')}
              error={errors.expiresAt} help="your local time; empty means never" />
            <Field label="Login policy" error={errors.loginPolicy}
              help="any: a password, a key or a certificate; key+password and key+totp: a key or certificate, then the password or a code from an authenticator app">
              {({ id, describedBy, invalid }) => (
                <select id={id} name="loginPolicy" value={form.loginPolicy}
                  onChange={(e) => set('loginPolicy')(e.target.value as LoginPolicy)} aria-describedby={describedBy} aria-invalid={invalid || undefined}>
                  {LOGIN_POLICIES.map((p) => <option key={p} value={p}>{p}</option>)}
                </select>
              )}
            </Field>
          </fieldset>

          <fieldset>
            <legend>Groups</legend>
            <TextField label="Groups" name="groups" value={form.groups} onChange={set('groups')} error={errors.groups} autoComplete="off"
              placeholder="partners, ops"
              help={<>in order, separated by commas: where this user sets no value, the first group that sets it applies (see <Link to="/groups">groups</Link>);
                a member that should take its groups’ permissions has no permission rules of its own</>} />
          </fieldset>

          <fieldset>
            <legend>Storage</legend>
            <Field label="Storage type" error={errors['storage.type'] ?? errors.storage}
              help={creating ? 'local: a home directory on the server; s3: a bucket and prefix' : 'the storage of an existing user cannot be changed'}>
              {({ id, describedBy, invalid }) => (
                <select id={id} name="storageType" value={form.storageType} disabled={!creating}
                  onChange={(e) => set('storageType')(e.target.value as 'local' | 's3')} aria-describedby={describedBy} aria-invalid={invalid || undefined}>
                  <option value="local">local</option>
                  <option value="s3">s3</option>
                </select>
              )}
            </Field>
            {form.storageType === 's3' && (
              <div className="row">
                <TextField label="Bucket" name="bucket" value={form.bucket} onChange={set('bucket')} error={errors['storage.bucket']}
                  help="empty: the server's default bucket" disabled={!creating} />
                <TextField label="Prefix" name="prefix" value={form.prefix} onChange={set('prefix')} error={errors['storage.prefix']}
                  help="empty: <username>/" disabled={!creating} />
              </div>
            )}
            <div className="row">
              <TextField label="Quota (bytes)" name="maxBytes" type="number" min={0} inputMode="numeric" value={form.maxBytes}
                onChange={set('maxBytes')} error={errors['quota.maxBytes']} help={quotaHelp(form.maxBytes)} />
              <TextField label="Quota (files)" name="maxFiles" type="number" min={0} inputMode="numeric" value={form.maxFiles}
                onChange={set('maxFiles')} error={errors['quota.maxFiles']} help="0 means no limit" />
              <TextField label="Largest file (bytes)" name="maxFileSize" type="number" min={0} inputMode="numeric" value={form.maxFileSize}
                onChange={set('maxFileSize')} error={errors.maxFileSize} help={quotaHelp(form.maxFileSize)} />
            </div>
          </fieldset>

          <PermissionsEditor rows={form.permissions} onChange={set('permissions')} error={errors.permissions} disabled={!canWrite} />

          <fieldset>
            <legend>Limits</legend>
            <TextAreaField label="Allowed IP addresses" name="allowedIps" value={form.allowedIps} onChange={set('allowedIps')}
              error={errors.allowedIps} rows={3} placeholder="203.0.113.0/24" help="one address or CIDR per line, IPv4 or IPv6; empty means any" />
            <div className="row">
              <TextField label="Max sessions" name="maxSessions" type="number" min={0} inputMode="numeric" value={form.maxSessions}
                onChange={set('maxSessions')} error={errors.maxSessions} help="0 means no limit" />
              <TextField label="Upload bandwidth (bytes/s)" name="uploadBytesPerSecond" type="number" min={0} inputMode="numeric"
                value={form.uploadBytesPerSecond} onChange={set('uploadBytesPerSecond')} error={errors['bandwidth.uploadBytesPerSecond']} help={quotaHelp(form.uploadBytesPerSecond, '/s')} />
              <TextField label="Download bandwidth (bytes/s)" name="downloadBytesPerSecond" type="number" min={0} inputMode="numeric"
                value={form.downloadBytesPerSecond} onChange={set('downloadBytesPerSecond')} error={errors['bandwidth.downloadBytesPerSecond']} help={quotaHelp(form.downloadBytesPerSecond, '/s')} />
            </div>
          </fieldset>
        </fieldset>
        {canWrite && (
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>{creating ? 'Create user' : 'Save changes'}</button>
            {user && <button type="button" className="danger" onClick={() => setConfirmDelete(true)} disabled={busy}>Delete user</button>}
          </div>
        )}
      </form>
      {user && (user.loginPolicy === 'key+totp' || user.totpEnrolled) && (
        <TotpAuthenticator user={user} canWrite={canWrite} onChanged={onSaved} />
      )}
      {user?.effective && <EffectiveSettings effective={user.effective} />}
      {user && (
        <ConfirmDialog open={confirmDelete} title={`Delete ${user.username}?`} confirmLabel="Delete" busy={busy}
          onConfirm={() => void remove(async () => {
            await usersApi.remove(user.username, purge);
            navigate('/users');
          })} onCancel={() => setConfirmDelete(false)}>
          <p>The account, its keys and its open sessions end at once. Its audit records stay.</p>
          <Checkbox label="Also delete the user's files" name="purge" checked={purge} onChange={setPurge} />
        </ConfirmDialog>
      )}
    </section>
  );
}

/** A byte count typed into a field, shown in binary units ("= 100 MiB"), or what 0 means. */
function quotaHelp(value: string, suffix = ''): string {
  const n = Number(value);
  return !value.trim() || !Number.isFinite(n) || n === 0 ? '0 means no limit' : `= ${formatBytes(n)}${suffix}`;
}
