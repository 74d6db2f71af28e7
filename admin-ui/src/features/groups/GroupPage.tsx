import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { useCanWrite } from '../../auth/session';
import { ErrorAlert, Notice } from '../../components/Alert';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Field, TextAreaField, TextField } from '../../components/fields';
import { formatTime } from '../../lib/format';
import { useEditForm } from '../../lib/useEditForm';
import { useResource } from '../../lib/useResource';
import { PermissionsEditor } from '../users/PermissionsEditor';
import { groupsApi, type Group } from './api';
import { emptyGroupForm, formFromGroup, toGroupBody, validateGroupForm } from './groupForm';

/** /groups/new and /groups/:name: create, view, edit and delete a group. */
export function GroupPage() {
  const { name = 'new' } = useParams();
  const creating = name === 'new';
  const created = (useLocation().state as { created?: string } | null)?.created;
  const existing = useResource((signal) => (creating ? Promise.resolve(undefined) : groupsApi.get(name, signal)), name);
  if (!creating && existing.error) {
    return <section><h1>Group {name}</h1><ErrorAlert error={existing.error} /><Link to="/groups">Back to groups</Link></section>;
  }
  if (!creating && !existing.data) return <p aria-live="polite">Loading…</p>;
  return <GroupEditor key={name} group={existing.data} created={created} />;
}

function GroupEditor({ group: initial, created }: { group?: Group; created?: string }) {
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const [group, setGroup] = useState(initial);
  const creating = !group;
  const { form, setForm, set, errors, failure, saved, setSaved, busy, confirmDelete, setConfirmDelete, submit, remove } = useEditForm(
    () => (group ? formFromGroup(group) : emptyGroupForm()),
    {
      validate: (f) => validateGroupForm(f, creating),
      fieldErrors: (e) => (Object.keys(e.fieldErrors).length > 0 ? e.fieldErrors : undefined),
      saved: created ? `Created ${created}.` : undefined,
    },
  );

  async function save(event: FormEvent) {
    await submit(event, async (f) => {
      const body = toGroupBody(f);
      if (!group) {
        const answer = await groupsApi.create(body);
        navigate(`/groups/${encodeURIComponent(answer.name)}`, { replace: true, state: { created: answer.name } });
        return;
      }
      const answer = await groupsApi.replace(group.name, body);
      setGroup(answer);
      setForm(formFromGroup(answer));
      setSaved(`Saved ${answer.name}. Its members follow at their next login, open sessions within seconds.`);
    });
  }

  return (
    <section aria-labelledby="group-title">
      <h1 id="group-title">{group ? `Group ${group.name}` : 'New group'}</h1>
      <p><Link to="/groups">← All groups</Link></p>
      {saved && <Notice>{saved}</Notice>}
      <ErrorAlert error={failure} />
      {Object.keys(errors).length > 0 && <p className="alert error" role="alert">Some fields need attention: see the messages below them.</p>}
      {group && (
        <dl className="facts">
          <div><dt>Members</dt><dd>{group.members}</dd></div>
          <div><dt>Created</dt><dd>{formatTime(group.createdAt)}</dd></div>
          <div><dt>Updated</dt><dd>{formatTime(group.updatedAt)}</dd></div>
        </dl>
      )}
      <form onSubmit={save} noValidate className="user-form">
        <fieldset disabled={!canWrite || busy} className="plain">
          {creating && (
            <TextField label="Name" name="name" value={form.name} onChange={set('name')} error={errors.name} required autoComplete="off"
              placeholder="partners" help="2 to 64 characters: letters, digits, . _ - (unique regardless of case; cannot be changed later)" />
          )}
          <p className="muted">0 and empty mean the group does not set that value: its members keep their own, or the default.</p>
          <PermissionsEditor rows={form.permissions} onChange={set('permissions')} error={errors.permissions} disabled={!canWrite} />
          <fieldset>
            <legend>Quota and limits (per member)</legend>
            <div className="row">
              <TextField label="Quota (bytes)" name="maxBytes" type="number" min={0} inputMode="numeric" value={form.maxBytes}
                onChange={set('maxBytes')} error={errors['quota.maxBytes']} help="each member's own usage" />
              <TextField label="Quota (files)" name="maxFiles" type="number" min={0} inputMode="numeric" value={form.maxFiles}
                onChange={set('maxFiles')} error={errors['quota.maxFiles']} />
              <TextField label="Max sessions" name="maxSessions" type="number" min={0} inputMode="numeric" value={form.maxSessions}
                onChange={set('maxSessions')} error={errors.maxSessions} />
            </div>
            <TextAreaField label="Allowed IP addresses" name="allowedIps" value={form.allowedIps} onChange={set('allowedIps')}
              error={errors.allowedIps} rows={3} placeholder="203.0.113.0/24" help="one address or CIDR per line; empty: not set by the group" />
            <div className="row">
              <TextField label="Upload bandwidth (bytes/s)" name="uploadBytesPerSecond" type="number" min={0} inputMode="numeric"
                value={form.uploadBytesPerSecond} onChange={set('uploadBytesPerSecond')} error={errors['bandwidth.uploadBytesPerSecond']} />
              <TextField label="Download bandwidth (bytes/s)" name="downloadBytesPerSecond" type="number" min={0} inputMode="numeric"
                value={form.downloadBytesPerSecond} onChange={set('downloadBytesPerSecond')} error={errors['bandwidth.downloadBytesPerSecond']} />
            </div>
          </fieldset>
          <fieldset>
            <legend>Storage of new members</legend>
            <Field label="Storage type" error={errors['storage.type'] ?? errors.storage}
              help="given to members created without storage of their own; existing homes never move">
              {({ id, describedBy, invalid }) => (
                <select id={id} name="storageType" value={form.storageType}
                  onChange={(e) => set('storageType')(e.target.value as '' | 'local' | 's3')} aria-describedby={describedBy} aria-invalid={invalid || undefined}>
                  <option value="">none</option>
                  <option value="local">local</option>
                  <option value="s3">s3</option>
                </select>
              )}
            </Field>
            {form.storageType === 's3' && (
              <div className="row">
                <TextField label="Bucket" name="bucket" value={form.bucket} onChange={set('bucket')} error={errors['storage.bucket']}
                  help="empty: the server's default bucket" />
                <TextField label="Prefix template" name="prefix" value={form.prefix} onChange={set('prefix')} error={errors['storage.prefix']}
                  placeholder="partners/{username}/" help="{username} is replaced by the member's name" />
              </div>
            )}
          </fieldset>
        </fieldset>
        {canWrite && (
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>{group ? 'Save changes' : 'Create group'}</button>
            {group && <button type="button" className="danger" onClick={() => setConfirmDelete(true)} disabled={busy}>Delete group</button>}
          </div>
        )}
      </form>
      {group && (
        <ConfirmDialog open={confirmDelete} title={`Delete ${group.name}?`} confirmLabel="Delete" busy={busy}
          onConfirm={() => void remove(async () => {
            await groupsApi.remove(group.name);
            navigate('/groups');
          })} onCancel={() => setConfirmDelete(false)}>
          <p>A group that users still list cannot be deleted: remove it from their groups first.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
