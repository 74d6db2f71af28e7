import { vi } from 'vitest';

export interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Handler = (call: Call) => { status: number; body?: unknown } | undefined;

/** JSON bodies parsed; others (a CSV upload) kept as text. */
function parseBody(headers: Record<string, string> | undefined, body: string): unknown {
  return headers?.['Content-Type'] === 'application/json' ? JSON.parse(body) : body;
}

/** Replaces fetch with answers from `handler`, recording every call (unit tests only; e2e uses the real server). */
export function fakeServer(handler: Handler): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const call: Call = {
      method: init.method ?? 'GET',
      url,
      headers: (init.headers ?? {}) as Record<string, string>,
      body: init.body ? parseBody(init.headers as Record<string, string> | undefined, String(init.body)) : undefined,
    };
    calls.push(call);
    const answer = handler(call) ?? { status: 404, body: { title: 'Not found', status: 404, detail: `no fake for ${call.method} ${url}` } };
    const problem = answer.status >= 400;
    return new Response(answer.status === 204 ? null : JSON.stringify(answer.body ?? {}), {
      status: answer.status,
      headers: { 'Content-Type': problem ? 'application/problem+json' : 'application/json' },
    });
  });
  return calls;
}
