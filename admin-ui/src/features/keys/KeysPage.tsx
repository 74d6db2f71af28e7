import { useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useCanWrite } from '../../auth/session';
import { ErrorAlert, Notice } from '../../components/Alert';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Field, TextAreaField, TextField } from '../../components/fields';
import { ApiError } from '../../lib/api';
import { formatTime, localInputToIso } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { keysApi, type Key } from './api';
import { keyWarning, sortByLastUse, UNUSED_DAYS } from './keyUse';
import { publicKeyProblem } from './publicKey';

const MAX_FILE = 16 * 1024;

/** /users/:username/keys: a user's SSH public keys. */
export function KeysPage() {
  const { username = '' } = useParams();
  const canWrite = useCanWrite();
  const keys = useResource((signal) => keysApi.list(username, signal), username);
  const [target, setTarget] = useState<Key>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [order, setOrder] = useState<'asc' | 'desc'>('asc');

  async function remove() {
    if (!target) return;
    setBusy(true);
    try {
      await keysApi.remove(username, target.id);
      setNotice(`Removed the key ${target.fingerprint}.`);
      keys.reload();
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(false);
      setTarget(undefined);
    }
  }

  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">SSH keys of {username}</h1>
      <p><Link to={`/users/${encodeURIComponent(username)}`}>← User {username}</Link></p>
      {notice && <Notice>{notice}</Notice>}
      <ErrorAlert error={keys.error ?? failure} />
      {keys.data && keys.data.length === 0 && <p className="muted">No keys: this user can log in only with a password, if one is set.</p>}
      {keys.data && keys.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Label</th><th scope="col">Type</th><th scope="col">Comment</th><th scope="col">Fingerprint</th>
                <th scope="col">Added</th><th scope="col">Expires</th>
                <th scope="col" aria-sort={order === 'asc' ? 'ascending' : 'descending'}>
                  <button type="button" className="link" onClick={() => setOrder(order === 'asc' ? 'desc' : 'asc')}>
                    Last used {order === 'asc' ? '↑' : '↓'}
                  </button>
                </th>
                {canWrite && <th scope="col"><span className="visually-hidden">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {sortByLastUse(keys.data, order).map((k) => (
                <tr key={k.id}>
                  <td className="wrap">{k.label || '—'}</td>
                  <td>{k.type}</td>
                  <td className="wrap">{k.comment || '—'}</td>
                  <td><code className="fingerprint">{k.fingerprint}</code></td>
                  <td>{formatTime(k.createdAt)}</td>
                  <td>{k.expiresAt ? formatTime(k.expiresAt) : 'never'}</td>
                  <td>{k.lastUsedAt ? formatTime(k.lastUsedAt) : 'never'} <KeyWarning keyView={k} /></td>
                  {canWrite && (
                    <td><button type="button" className="danger" onClick={() => setTarget(k)}
                      aria-label={`Delete the key ${k.comment || k.fingerprint}`}>Delete</button></td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canWrite && <AddKeyForm username={username} onAdded={(k) => { setNotice(`Added the key ${k.fingerprint}.`); keys.reload(); }} />}
      <ConfirmDialog open={Boolean(target)} title="Delete this key?" confirmLabel="Delete key" busy={busy}
        onConfirm={() => void remove()} onCancel={() => setTarget(undefined)}>
        <p>{target ? `${target.type} ${target.fingerprint}${target.comment ? ` (${target.comment})` : ''} will no longer log in as ${username}.` : ''}</p>
      </ConfirmDialog>
    </section>
  );
}

function KeyWarning({ keyView }: { keyView: Key }) {
  const warning = keyWarning(keyView);
  if (warning === 'expired') return <span className="badge off">expired: cannot log in</span>;
  if (warning === 'unused') return <span className="badge warn">unused for {UNUSED_DAYS}+ days: still needed?</span>;
  return null;
}

function AddKeyForm({ username, onAdded }: { username: string; onAdded: (key: Key) => void }) {
  const [text, setText] = useState('');
  const [label, setLabel] = useState('');
  const [expiresAt, setExpiresAt] = useState('');
  const [fieldErrors, setFieldErrors] = useState<{ label?: string; expiresAt?: string }>({});
  const [error, setError] = useState<string>();
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  async function readFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    if (file.size > MAX_FILE) {
      setError('this file is too large to be a public key: choose the .pub file');
      return;
    }
    const content = (await file.text()).trim();
    setText(content);
    setError(publicKeyProblem(content) ?? undefined);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problem = publicKeyProblem(text);
    const expiry = expiresAt ? localInputToIso(expiresAt) : null;
    const expiryProblem = expiresAt && !expiry ? 'enter a valid date and time, or leave empty for never' : undefined;
    setError(problem ?? undefined);
    setFieldErrors({ expiresAt: expiryProblem });
    setFailure(undefined);
    if (problem || expiryProblem) return;
    setBusy(true);
    try {
      const key = await keysApi.add(username, text.trim(), label.trim() || null, expiry);
      setText('');
      setLabel('');
      setExpiresAt('');
      if (fileInput.current) fileInput.current.value = '';
      onAdded(key);
    } catch (e) {
      if (e instanceof ApiError && e.fieldErrors.publicKey) setError(e.fieldErrors.publicKey);
      else if (e instanceof ApiError && (e.fieldErrors.label || e.fieldErrors.expiresAt)) {
        setFieldErrors({ label: e.fieldErrors.label, expiresAt: e.fieldErrors.expiresAt });
      } else setFailure(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="add-key-title">
      <h2 id="add-key-title">Add a key</h2>
      <ErrorAlert error={failure} />
      <TextAreaField label="Public key" name="publicKey" value={text} onChange={setText} error={error} rows={3}
        placeholder="ssh-ed25519 AAAAC3Nz... partner laptop" help="paste one line from a .pub file, or choose the file below" />
      <Field label="Or read it from a file">
        {({ id }) => <input id={id} ref={fileInput} type="file" accept=".pub,text/plain" onChange={(e) => void readFile(e)} />}
      </Field>
      <TextField label="Label" name="label" value={label} onChange={setLabel} error={fieldErrors.label}
        help="what people call this key, e.g. laptop or nightly job (optional)" />
      <TextField label="Expires" name="expiresAt" type="datetime-local" value={expiresAt} onChange={setExpiresAt}
        error={fieldErrors.expiresAt} help="after this the key cannot log in; empty for never" />
      <button type="submit" className="primary" disabled={busy}>Add key</button>
    </form>
  );
}
