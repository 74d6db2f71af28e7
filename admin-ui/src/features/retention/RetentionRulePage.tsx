import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { useCanWrite } from '../../auth/session';
import { ErrorAlert, Notice } from '../../components/Alert';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Checkbox, TextField } from '../../components/fields';
import { formatTime } from '../../lib/format';
import { useEditForm } from '../../lib/useEditForm';
import { useResource } from '../../lib/useResource';
import { retentionApi, type RetentionRule } from './api';
import { RuleReports } from './RuleReports';
import { describeRule, emptyForm, formFromRule, toRetentionBody, validateRetentionForm } from './retentionForm';

/** /retention/new and /retention/:id: create, view, edit, delete a retention rule; preview and run a saved one. */
export function RetentionRulePage() {
  const { id = 'new' } = useParams();
  const creating = id === 'new';
  const created = (useLocation().state as { created?: string } | null)?.created;
  const existing = useResource((signal) => (creating ? Promise.resolve(undefined) : retentionApi.rule(id, signal)), id);
  if (!creating && existing.error) {
    return <section><h1>Retention rule</h1><ErrorAlert error={existing.error} /><Link to="/retention">Back to retention rules</Link></section>;
  }
  if (!creating && !existing.data) return <p aria-live="polite">Loading…</p>;
  return <RuleEditor key={id} rule={existing.data} created={created} />;
}

function RuleEditor({ rule: initial, created }: { rule?: RetentionRule; created?: string }) {
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const [rule, setRule] = useState(initial);
  const { form, setForm, set, errors, failure, saved, setSaved, busy, confirmDelete, setConfirmDelete, submit, remove } = useEditForm(
    () => (rule ? formFromRule(rule) : emptyForm()),
    {
      validate: validateRetentionForm,
      fieldErrors: (e) => (Object.keys(e.fieldErrors).length > 0 ? e.fieldErrors : undefined),
      saved: created ? `Created ${created}.` : undefined,
    },
  );

  async function save(event: FormEvent) {
    await submit(event, async (f) => {
      const body = toRetentionBody(f);
      if (!rule) {
        const answer = await retentionApi.create(body);
        navigate(`/retention/${answer.id}`, { replace: true, state: { created: answer.name } });
        return;
      }
      const answer = await retentionApi.replace(rule.id, body);
      setRule(answer);
      setForm(formFromRule(answer));
      setSaved(`Saved ${answer.name}.`);
    });
  }

  return (
    <section aria-labelledby="retention-rule-title">
      <h1 id="retention-rule-title">{rule ? `Retention rule ${rule.name}` : 'New retention rule'}</h1>
      <p><Link to="/retention">← All retention rules</Link></p>
      {saved && <Notice>{saved}</Notice>}
      <ErrorAlert error={failure} />
      {Object.keys(errors).length > 0 && <p className="alert error" role="alert">Some fields need attention: see the messages below them.</p>}
      {rule && (
        <dl className="facts">
          <div><dt>Deletes</dt><dd>{describeRule(rule)}</dd></div>
          <div><dt>Created</dt><dd>{formatTime(rule.createdAt)}</dd></div>
          <div><dt>Updated</dt><dd>{formatTime(rule.updatedAt)}</dd></div>
        </dl>
      )}
      <form onSubmit={save} noValidate>
        <fieldset disabled={!canWrite || busy} className="plain">
          <TextField label="Name" name="name" value={form.name} onChange={set('name')} error={errors.name} required autoComplete="off"
            placeholder="outbox-30d" help="up to 100 characters, unique regardless of case (in each deletion’s audit record)" />
          <Checkbox label="Enabled (runs every hour)" name="enabled" checked={form.enabled} onChange={set('enabled')} />
          <div className="row">
            <TextField label="Path glob" name="path" value={form.path} onChange={set('path')} error={errors.path} required autoComplete="off"
              placeholder="/outbox/**"
              help={<>in each home, <code>/</code> being the home: <code>*</code> and <code>?</code> within a name, <code>**</code> across
                directories (<code>/partners/*/out/**/*.csv</code>); without wildcards, everything under it. Directories and links stay.</>} />
            <TextField label="User" name="username" value={form.username} onChange={set('username')} error={errors.username}
              autoComplete="off" placeholder="acme" help="whose home; empty: every user’s" />
            <TextField label="Older than (days)" name="days" type="number" min={1} inputMode="numeric" value={form.days}
              onChange={set('days')} error={errors.days} required help="files last modified more than this many days ago go" />
          </div>
        </fieldset>
        {canWrite && (
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>{rule ? 'Save changes' : 'Create rule'}</button>
            {rule && <button type="button" className="danger" onClick={() => setConfirmDelete(true)} disabled={busy}>Delete rule</button>}
          </div>
        )}
      </form>
      {/* a new key when the rule is saved: a report of the rule as it was does not stay */}
      {rule && <RuleReports key={rule.updatedAt} rule={rule} canRun={canWrite} />}
      {rule && (
        <ConfirmDialog open={confirmDelete} title={`Delete ${rule.name}?`} confirmLabel="Delete" busy={busy}
          onConfirm={() => void remove(async () => {
            await retentionApi.remove(rule.id);
            navigate('/retention');
          })} onCancel={() => setConfirmDelete(false)}>
          <p>The rule stops deleting files; files it deleted stay deleted. Its audit records stay.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
