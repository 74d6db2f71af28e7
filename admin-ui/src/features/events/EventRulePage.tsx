import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useCanWrite } from '../../auth/session';
import { ErrorAlert, Notice } from '../../components/Alert';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Checkbox, TextAreaField, TextField } from '../../components/fields';
import { ApiError, formField } from '../../lib/api';
import { formatBytes, formatTime } from '../../lib/format';
import { useEditForm } from '../../lib/useEditForm';
import { useResource } from '../../lib/useResource';
import { ActionEditor } from './ActionEditor';
import { EVENT_TYPES, eventsApi, type EventRule } from './api';
import {
  emptyForm, formFromRule, newAction, shownSecrets, toRuleBody, validateRuleForm, type ActionRow, type FormErrors,
} from './ruleForm';

type Secrets = ReturnType<typeof shownSecrets>;

/**
 * /events/new and /events/:id (one route, so creating a rule moves to its address without losing
 * the generated secret: it is handed over in memory, shown once, never put in the history).
 */
export function EventRulePage() {
  const { id = 'new' } = useParams();
  const creating = id === 'new';
  const navigate = useNavigate();
  const [handoff, setHandoff] = useState<{ rule: EventRule; secrets: Secrets }>();
  const handedOver = handoff && String(handoff.rule.id) === id ? handoff : undefined;
  const existing = useResource((signal) => (creating || handedOver ? Promise.resolve(undefined) : eventsApi.rule(id, signal)), id);
  const created = (rule: EventRule, secrets: Secrets) => {
    setHandoff({ rule, secrets });
    navigate(`/events/${rule.id}`, { replace: true });
  };
  if (handedOver) return <RuleEditor key={id} rule={handedOver.rule} justCreated initialSecrets={handedOver.secrets} />;
  if (!creating && existing.error) {
    return <section><h1>Event rule</h1><ErrorAlert error={existing.error} /><Link to="/events">Back to event rules</Link></section>;
  }
  if (!creating && !existing.data) return <p aria-live="polite">Loading…</p>;
  return <RuleEditor key={id} rule={existing.data} onCreated={created} />;
}

/** The server's messages by field: indexed ones (actions[0].url) as they are, others also by form field (paths[2] -> paths). */
function serverErrors(e: ApiError): FormErrors {
  const errors: FormErrors = { ...e.fieldErrors };
  for (const [field, message] of Object.entries(e.serverFieldErrors)) {
    if (field.startsWith('actions[')) errors[field] = message;
    else errors[formField(field)] ??= message;
  }
  return errors;
}

interface RuleEditorProps {
  rule?: EventRule;
  /** Just created here: says so, and shows the secrets generated for it. */
  justCreated?: boolean;
  initialSecrets?: Secrets;
  onCreated?: (rule: EventRule, secrets: Secrets) => void;
}

function RuleEditor({ rule: initial, justCreated = false, initialSecrets = [], onCreated }: RuleEditorProps) {
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const [rule, setRule] = useState(initial);
  const creating = !rule;
  const { form, setForm, set, errors, failure, saved, setSaved, busy, confirmDelete, setConfirmDelete, submit, remove } = useEditForm(
    () => (rule ? formFromRule(rule) : emptyForm()),
    {
      validate: validateRuleForm,
      fieldErrors: (e) => (Object.keys(e.serverFieldErrors).length > 0 ? serverErrors(e) : undefined),
      saved: justCreated && initial ? `Created ${initial.name}.` : undefined,
    },
  );
  const [secrets, setSecrets] = useState<Secrets>(initialSecrets);

  const setAction = (i: number, row: ActionRow) => setForm((f) => ({ ...f, actions: f.actions.map((a, j) => (j === i ? row : a)) }));

  async function save(event: FormEvent) {
    setSecrets([]);
    await submit(event, async (f) => {
      const body = toRuleBody(f);
      if (!rule) {
        const answer = await eventsApi.create(body);
        onCreated?.(answer, shownSecrets(answer));
        return;
      }
      const answer = await eventsApi.replace(rule.id, body);
      setSecrets(shownSecrets(answer));
      // the form shows the answer from now on, without the secrets it carried
      setRule(answer);
      setForm(formFromRule(answer));
      setSaved(`Saved ${answer.name}.`);
    });
  }

  const toggleEvent = (type: (typeof EVENT_TYPES)[number], on: boolean) =>
    set('events')(on ? [...form.events.filter((t) => t !== type), type] : form.events.filter((t) => t !== type));
  const hasErrors = Object.keys(errors).length > 0;

  return (
    <section aria-labelledby="rule-title">
      <div className="page-head">
        <h1 id="rule-title">{rule ? `Event rule ${rule.name}` : 'New event rule'}</h1>
        {rule && <Link className="button" to={`/events/deliveries?rule=${encodeURIComponent(rule.name)}`}>Deliveries of {rule.name}</Link>}
      </div>
      <p><Link to="/events">← All event rules</Link></p>
      {saved && <Notice>{saved}</Notice>}
      {secrets.length > 0 && (
        <div className="alert secret-once" role="status" aria-labelledby="secret-title">
          <h2 id="secret-title">Webhook secret, shown once</h2>
          <p>Copy it into the receiver now: Ferry keeps it encrypted and never shows it again. The receiver checks{' '}
            <code>Ferry-Signature</code> with it (see the README, “File events”).</p>
          <dl className="details">
            {secrets.map((s) => (
              <div key={s.index}><dt>Action {s.index + 1} ({s.url})</dt><dd><code aria-label={`Secret of action ${s.index + 1}`}>{s.secret}</code></dd></div>
            ))}
          </dl>
        </div>
      )}
      <ErrorAlert error={failure} />
      {hasErrors && <p className="alert error" role="alert">Some fields need attention: see the messages below them.</p>}
      {rule && (
        <dl className="facts">
          <div><dt>Created</dt><dd>{formatTime(rule.createdAt)}</dd></div>
          <div><dt>Updated</dt><dd>{formatTime(rule.updatedAt)}</dd></div>
        </dl>
      )}
      <form onSubmit={save} noValidate>
        <fieldset disabled={!canWrite || busy} className="plain">
          <fieldset>
            <legend>Rule</legend>
            <TextField label="Name" name="name" value={form.name} onChange={set('name')} error={errors.name} required autoComplete="off"
              help="1 to 128 of A-Z a-z 0-9 . _ - (it is in every event sent, as rule)" />
            <Checkbox label="Enabled (matching events are delivered)" name="enabled" checked={form.enabled} onChange={set('enabled')} />
            <fieldset aria-describedby={errors.events ? 'events-error' : 'events-help'} className="plain">
              <legend>Events</legend>
              <small id="events-help" className="help">the confirmed actions that make an event</small>
              <div className="checks" role="group" aria-label="Event types">
                {EVENT_TYPES.map((type) => (
                  <label key={type} className="chip">
                    <input type="checkbox" checked={form.events.includes(type)} onChange={(e) => toggleEvent(type, e.target.checked)}
                      aria-invalid={Boolean(errors.events) || undefined} />
                    {type}
                  </label>
                ))}
              </div>
              {errors.events && <small id="events-error" className="field-error" role="alert">{errors.events}</small>}
            </fieldset>
          </fieldset>

          <fieldset>
            <legend>Filters</legend>
            <TextAreaField label="Usernames" name="usernames" value={form.usernames} onChange={set('usernames')} error={errors.usernames}
              rows={2} placeholder="acme" help="one per line; empty matches every user" />
            <TextAreaField label="Path globs" name="paths" value={form.paths} onChange={set('paths')} error={errors.paths}
              rows={2} placeholder="/inbox/**/*.csv" help="one per line, matched against the path or target path: * within a name, ** across directories; empty matches every path" />
            <TextField label="Minimum size (bytes)" name="minSize" type="number" min={0} inputMode="numeric" value={form.minSize}
              onChange={set('minSize')} error={errors.minSize}
              help={form.minSize.trim() && Number.isFinite(Number(form.minSize)) ? `= ${formatBytes(Number(form.minSize))}` : 'empty: any size'} />
          </fieldset>

          <fieldset aria-describedby={errors.actions ? 'actions-error' : undefined}>
            <legend>Actions</legend>
            {form.actions.map((a, i) => (
              <ActionEditor key={i} index={i} row={a} errors={errors} canWrite={canWrite} existing={!creating}
                onChange={(row) => setAction(i, row)} onRemove={() => set('actions')(form.actions.filter((_, j) => j !== i))} />
            ))}
            {canWrite && (
              <div className="actions">
                <button type="button" onClick={() => set('actions')([...form.actions, newAction('webhook')])}>Add a webhook</button>
                <button type="button" onClick={() => set('actions')([...form.actions, newAction('kafka')])}>Add a Kafka topic</button>
                <button type="button" onClick={() => set('actions')([...form.actions, newAction('move')])}>Add a move</button>
                <button type="button" onClick={() => set('actions')([...form.actions, newAction('copy')])}>Add a copy</button>
              </div>
            )}
            {errors.actions && <small id="actions-error" className="field-error" role="alert">{errors.actions}</small>}
          </fieldset>
        </fieldset>
        {canWrite && (
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>{creating ? 'Create rule' : 'Save changes'}</button>
            {rule && <button type="button" className="danger" onClick={() => setConfirmDelete(true)} disabled={busy}>Delete rule</button>}
          </div>
        )}
      </form>
      {rule && (
        <ConfirmDialog open={confirmDelete} title={`Delete ${rule.name}?`} confirmLabel="Delete" busy={busy}
          onConfirm={() => void remove(async () => {
            await eventsApi.remove(rule.id);
            navigate('/events');
          })} onCancel={() => setConfirmDelete(false)}>
          <p>The rule and its delivery history are deleted; pending deliveries are not sent. Its audit records stay.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
