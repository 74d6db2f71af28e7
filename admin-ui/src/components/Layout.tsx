import { Link, NavLink, Outlet } from 'react-router';
import { useSession } from '../auth/session';

const PAGES = [
  { to: '/', label: 'Dashboard', end: true },
  { to: '/users', label: 'Users', end: false },
  { to: '/groups', label: 'Groups', end: false },
  { to: '/sessions', label: 'Sessions', end: false },
  { to: '/audit', label: 'Audit', end: false },
  { to: '/events', label: 'Events', end: false },
  { to: '/retention', label: 'Retention', end: false },
];

export function Layout() {
  const { caller, logout } = useSession();
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <span className="brand">Ferry</span>
        <nav aria-label="Main">
          <ul>
            {PAGES.map((p) => (
              <li key={p.to}><NavLink to={p.to} end={p.end}>{p.label}</NavLink></li>
            ))}
          </ul>
        </nav>
        <div className="whoami">
          <span>{caller?.username} <span className={`role role-${caller?.role?.toLowerCase()}`}>{caller?.role}</span></span>
          {caller?.authenticatedBy === 'session' && <Link to="/account/mfa">Two-factor</Link>}
          <button type="button" onClick={() => void logout()}>Log out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
