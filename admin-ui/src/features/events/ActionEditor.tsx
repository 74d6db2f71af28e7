import { Field, TextField } from '../../components/fields';
import { ACTION_TYPES, type ActionRow, type ActionType, type FormErrors } from './ruleForm';

interface ActionEditorProps {
  index: number;
  row: ActionRow;
  errors: FormErrors;
  canWrite: boolean;
  existing: boolean;
  onChange: (row: ActionRow) => void;
  onRemove: () => void;
}

/** One action of an event rule: its kind and that kind's fields, named as the server names them (actions[1].to). */
export function ActionEditor({ index, row, errors, canWrite, existing, onChange, onRemove }: ActionEditorProps) {
  const field = `actions[${index}]`;
  const n = index + 1;
  return (
    <div className="action-row" role="group" aria-label={`Action ${n}`}>
      {row.type === 'other' ? (
        <p>Action {n}: {row.original?.type} <span className="muted">(kept as it is; not editable here)</span></p>
      ) : (
        <Field label={`Action ${n} type`} error={errors[`${field}.type`] ?? errors[field]}>
          {({ id, describedBy, invalid }) => (
            <select id={id} value={row.type} onChange={(e) => onChange({ ...row, type: e.target.value as ActionType })}
              aria-describedby={describedBy} aria-invalid={invalid || undefined}>
              {ACTION_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          )}
        </Field>
      )}
      {row.type === 'webhook' && (
        <div className="row">
          <TextField label={`Action ${n} URL`} name={`${field}.url`} value={row.url} onChange={(url) => onChange({ ...row, url })}
            error={errors[`${field}.url`]} placeholder="https://hooks.example.com/ferry"
            help="events are POSTed here as JSON, signed; redirects are not followed" />
          {canWrite && (
            <TextField label={`Action ${n} secret`} name={`${field}.secret`} type="password" autoComplete="new-password" value={row.secret}
              onChange={(secret) => onChange({ ...row, secret })} error={errors[`${field}.secret`]}
              help={row.secretSet ? 'set; leave empty to keep it, or type a new one (16 to 256 characters)'
                : existing ? 'leave empty to keep the current one if this action had one, else one is generated and shown once'
                  : 'leave empty to have one generated and shown once, or type one (16 to 256 characters)'} />
          )}
        </div>
      )}
      {row.type === 'kafka' && (
        <TextField label={`Action ${n} topic`} name={`${field}.topic`} value={row.topic} onChange={(topic) => onChange({ ...row, topic })}
          error={errors[`${field}.topic`]} placeholder="ferry-events" help="keyed by user and path, so one file’s events stay in order" />
      )}
      {(row.type === 'move' || row.type === 'copy') && <FilePlacementFields n={n} field={field} row={row} errors={errors} onChange={onChange} />}
      {canWrite && (
        <div className="actions">
          <button type="button" className="link" onClick={onRemove} aria-label={`Remove action ${n}`}>Remove</button>
        </div>
      )}
    </div>
  );
}

interface FilePlacementFieldsProps {
  n: number;
  field: string;
  row: ActionRow;
  errors: FormErrors;
  onChange: (row: ActionRow) => void;
}

/** A move's or copy's target path (with its placeholders explained) and receiving user. */
function FilePlacementFields({ n, field, row, errors, onChange }: FilePlacementFieldsProps) {
  return (
    <div className="row">
      <TextField label={`Action ${n} target path`} name={`${field}.to`} value={row.to} onChange={(to) => onChange({ ...row, to })}
        error={errors[`${field}.to`]} placeholder="/incoming/{username}/{filename}" autoComplete="off"
        help={<>
          {row.type === 'move' ? 'uploads and renames go here, and are gone from where they arrived' : 'uploads and renames are also placed here'};
          placeholders: <code>{'{filename}'}</code> the file’s name, <code>{'{path}'}</code> its directory (<code>/inbox/2026</code>),{' '}
          <code>{'{username}'}</code> its user, <code>{'{date}'}</code> the event’s day (<code>2026-12-07</code>, UTC)
        </>} />
      <TextField label={`Action ${n} receiving user`} name={`${field}.username`} value={row.username}
        onChange={(username) => onChange({ ...row, username })} error={errors[`${field}.username`]} placeholder="ops" autoComplete="off"
        help="whose home gets the file; empty: the file’s own user" />
    </div>
  );
}
