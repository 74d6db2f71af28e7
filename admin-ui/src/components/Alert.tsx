import { ApiError } from '../lib/api';

/** A failed request or action, as text (never HTML). */
export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof ApiError ? `${error.title}: ${error.message}` : error instanceof Error ? error.message : String(error);
  return <p className="alert error" role="alert">{message}</p>;
}

export function Notice({ children }: { children: string }) {
  return <p className="alert success" role="status">{children}</p>;
}
