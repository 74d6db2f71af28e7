import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { SessionProvider } from '../auth/session';
import { fakeServer, type Call, type Handler } from './fakeServer';

/**
 * Renders `routes` (path pattern to page) at `path` for someone signed in with `role`: the session look-up is
 * answered here, every other request by `handler` (see fakeServer). The set-up the page tests share.
 */
export function renderSignedIn(path: string, role: 'ADMIN' | 'AUDITOR', routes: Record<string, ReactElement>, handler: Handler): Call[] {
  const calls = fakeServer((call) => call.url === '/api/v1/session'
    ? { status: 200, body: { username: 'someone', role, authenticatedBy: 'session' } }
    : handler(call));
  render(
    <MemoryRouter initialEntries={[path]}>
      <SessionProvider>
        <Routes>
          {Object.entries(routes).map(([pattern, page]) => <Route key={pattern} path={pattern} element={page} />)}
        </Routes>
      </SessionProvider>
    </MemoryRouter>,
  );
  return calls;
}
