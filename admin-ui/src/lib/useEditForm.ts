import { useState, type FormEvent } from 'react';
import { ApiError } from './api';

/** Messages by form field. */
export type FormMessages = Partial<Record<string, string>>;

export interface EditFormOptions<F> {
  /** Messages for what the form itself can tell is wrong; none: it is sent. */
  validate: (form: F) => FormMessages;
  /** The server's refusal by field, or undefined when it names no field (then it is shown above the form). */
  fieldErrors: (e: ApiError) => FormMessages | undefined;
  /** A notice to show from the start (e.g. "Created x." after a page moved to what it created). */
  saved?: string;
}

/**
 * The form handling every edit page of the admin UI shares (a user, an event rule): a form checked before
 * it is sent, the server's refusal shown under the fields it names with focus on the first of them, any
 * other failure shown above the form, a busy flag that disables the form while a request runs, and a
 * deletion behind a confirmation. Written once, so a page keeps only its fields and what saving or
 * deleting means for it.
 */
export function useEditForm<F extends object>(initial: () => F, options: EditFormOptions<F>) {
  const [form, setForm] = useState<F>(initial);
  const [errors, setErrors] = useState<FormMessages>({});
  const [failure, setFailure] = useState<unknown>();
  const [saved, setSaved] = useState<string | undefined>(options.saved);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);

  /** A setter for one field of the form. */
  const set = <K extends keyof F>(key: K) => (value: F[K]) => setForm((f) => ({ ...f, [key]: value }));

  /** Checks the form and, if nothing is wrong with it, runs `save` with it; `save` says what a success shows. */
  async function submit(event: FormEvent, save: (form: F) => Promise<void>) {
    event.preventDefault();
    setSaved(undefined);
    const found = options.validate(form);
    setErrors(found);
    setFailure(undefined);
    if (Object.keys(found).length > 0) {
      focusFirstError();
      return;
    }
    setBusy(true);
    try {
      await save(form);
    } catch (e) {
      const byField = e instanceof ApiError ? options.fieldErrors(e) : undefined;
      if (byField) {
        setErrors(byField);
        focusFirstError();
      } else {
        setFailure(e);
      }
    } finally {
      setBusy(false);
    }
  }

  /** Runs the confirmed deletion `del` (which moves away on success); a failure is shown and the confirmation closed. */
  async function remove(del: () => Promise<void>) {
    setBusy(true);
    try {
      await del();
    } catch (e) {
      setFailure(e);
      setConfirmDelete(false);
    } finally {
      setBusy(false);
    }
  }

  return { form, setForm, set, errors, failure, saved, setSaved, busy, confirmDelete, setConfirmDelete, submit, remove };
}

/** Moves the focus to the first field marked invalid, once React has rendered the messages. */
function focusFirstError() {
  window.setTimeout(() => {
    const invalid = document.querySelector<HTMLElement>('[aria-invalid="true"]');
    invalid?.focus();
  }, 0);
}
