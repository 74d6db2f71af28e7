// Labelled form controls: every input has a <label>, its error is tied to it with
// aria-describedby/aria-invalid, and help text says what is expected.
import { useId, type ReactNode } from 'react';

interface FieldProps {
  label: string;
  error?: string;
  help?: ReactNode;
  children: (ids: { id: string; describedBy?: string; invalid: boolean }) => ReactNode;
  className?: string;
}

export function Field({ label, error, help, children, className }: FieldProps) {
  const id = useId();
  const helpId = help ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, helpId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' has-error' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {help && <small id={helpId} className="help">{help}</small>}
      {error && <small id={errorId} className="field-error" role="alert">{error}</small>}
    </div>
  );
}

interface TextFieldProps {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  help?: ReactNode;
  type?: 'text' | 'password' | 'search' | 'number' | 'datetime-local';
  autoComplete?: string;
  autoFocus?: boolean;
  required?: boolean;
  disabled?: boolean;
  placeholder?: string;
  min?: number;
  inputMode?: 'numeric' | 'text';
}

export function TextField({ label, name, value, onChange, error, help, type = 'text', ...rest }: TextFieldProps) {
  return (
    <Field label={label} error={error} help={help}>
      {({ id, describedBy, invalid }) => (
        <input id={id} name={name} type={type} value={value} onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy} aria-invalid={invalid || undefined} {...rest} />
      )}
    </Field>
  );
}

interface TextAreaFieldProps {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  help?: ReactNode;
  rows?: number;
  disabled?: boolean;
  placeholder?: string;
}

export function TextAreaField({ label, name, value, onChange, error, help, rows = 3, ...rest }: TextAreaFieldProps) {
  return (
    <Field label={label} error={error} help={help}>
      {({ id, describedBy, invalid }) => (
        <textarea id={id} name={name} value={value} rows={rows} onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy} aria-invalid={invalid || undefined} spellCheck={false} {...rest} />
      )}
    </Field>
  );
}

interface CheckboxProps {
  label: string;
  name: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}

export function Checkbox({ label, name, checked, onChange, disabled }: CheckboxProps) {
  const id = useId();
  return (
    <div className="checkbox">
      <input id={id} name={name} type="checkbox" checked={checked} disabled={disabled}
        onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}
