import { PERMISSIONS, type PermissionName } from './api';
import type { PermissionRow } from './userForm';

interface PermissionsEditorProps {
  rows: PermissionRow[];
  onChange: (rows: PermissionRow[]) => void;
  error?: string;
  disabled?: boolean;
}

/** A hint for each permission: the type check fails until a permission the server adds has one. */
const HELP: Record<PermissionName, string> = {
  '*': 'everything',
  list: 'list directories',
  download: 'read files',
  upload: 'create new files',
  overwrite: 'write into existing files',
  delete: 'delete files',
  rename: 'rename (needed at source and target)',
  mkdir: 'create directories',
  rmdir: 'remove directories',
  symlink: 'create links',
  setstat: 'change attributes',
};

/** Paths and their permissions; the longest matching path wins, by whole segments. */
export function PermissionsEditor({ rows, onChange, error, disabled }: PermissionsEditorProps) {
  const update = (i: number, row: PermissionRow) => onChange(rows.map((r, j) => (j === i ? row : r)));
  const toggle = (i: number, name: PermissionName, on: boolean) => {
    const current = rows[i].permissions.filter((p) => p !== name);
    update(i, { ...rows[i], permissions: on ? [...current, name] : current });
  };
  return (
    <fieldset className="permissions" aria-describedby={error ? 'permissions-error' : 'permissions-help'} disabled={disabled}>
      <legend>Permissions by path</legend>
      <small id="permissions-help" className="help">
        The rule with the longest path that is the entry’s own path or an ancestor applies (/inbox governs /inbox/a, not /inboxes).
      </small>
      {rows.map((row, i) => (
        <div className="permission-row" key={i}>
          <div className="field">
            <label htmlFor={`perm-path-${i}`}>Path {i + 1}</label>
            <input id={`perm-path-${i}`} value={row.path} onChange={(e) => update(i, { ...row, path: e.target.value })}
              placeholder="/inbox" aria-invalid={Boolean(error) || undefined} />
          </div>
          <div className="permission-checks" role="group" aria-label={`Permissions for ${row.path || `path ${i + 1}`}`}>
            {PERMISSIONS.map((name) => (
              <label key={name} className="chip" title={HELP[name]}>
                <input type="checkbox" checked={row.permissions.includes(name)} onChange={(e) => toggle(i, name, e.target.checked)} />
                {name}
              </label>
            ))}
          </div>
          {!disabled && (
            <button type="button" className="link" onClick={() => onChange(rows.filter((_, j) => j !== i))}
              aria-label={`Remove the rule for ${row.path || `path ${i + 1}`}`}>Remove</button>
          )}
        </div>
      ))}
      {!disabled && (
        <button type="button" onClick={() => onChange([...rows, { path: '', permissions: ['list'] }])}>Add a path</button>
      )}
      {error && <small id="permissions-error" className="field-error" role="alert">{error}</small>}
    </fieldset>
  );
}
