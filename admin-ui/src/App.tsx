import { BrowserRouter, Link, Route, Routes } from 'react-router';
import { LoginPage } from './auth/LoginPage';
import { MfaPage } from './auth/MfaPage';
import { SessionProvider, useSession } from './auth/session';
import { Layout } from './components/Layout';
import { AuditPage } from './features/audit/AuditPage';
import { DashboardPage } from './features/dashboard/DashboardPage';
import { DeliveriesPage } from './features/events/DeliveriesPage';
import { EventRulePage } from './features/events/EventRulePage';
import { EventRulesPage } from './features/events/EventRulesPage';
import { GroupPage } from './features/groups/GroupPage';
import { GroupsPage } from './features/groups/GroupsPage';
import { KeysPage } from './features/keys/KeysPage';
import { RetentionRulePage } from './features/retention/RetentionRulePage';
import { RetentionRulesPage } from './features/retention/RetentionRulesPage';
import { SessionsPage } from './features/sessions/SessionsPage';
import { UserPage } from './features/users/UserPage';
import { UsersPage } from './features/users/UsersPage';

// The server answers index.html for these first path segments (AdminUiConfiguration.CLIENT_ROUTES); AdminUiRoutesTest
// fails when a route here starts with a segment the server does not know, or the server knows one that is gone.
function Pages() {
  const { caller } = useSession();
  if (caller === undefined) return <p className="loading" aria-live="polite">Loading…</p>;
  if (caller === null) return <LoginPage />;
  if (caller.mfaEnrolmentRequired) return <MfaPage required />;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<DashboardPage />} />
        <Route path="users" element={<UsersPage />} />
        <Route path="users/new" element={<UserPage />} />
        <Route path="users/:username" element={<UserPage />} />
        <Route path="users/:username/keys" element={<KeysPage />} />
        <Route path="groups" element={<GroupsPage />} />
        <Route path="groups/:name" element={<GroupPage />} />
        <Route path="sessions" element={<SessionsPage />} />
        <Route path="audit" element={<AuditPage />} />
        <Route path="events" element={<EventRulesPage />} />
        <Route path="events/deliveries" element={<DeliveriesPage />} />
        {/* one route for new and existing rules: creating one moves to its address keeping its shown-once secret */}
        <Route path="events/:id" element={<EventRulePage />} />
        <Route path="account/mfa" element={<MfaPage />} />
        <Route path="retention" element={<RetentionRulesPage />} />
        <Route path="retention/:id" element={<RetentionRulePage />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p><Link to="/">Go to the dashboard</Link></p>
    </section>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <SessionProvider>
        <Pages />
      </SessionProvider>
    </BrowserRouter>
  );
}
