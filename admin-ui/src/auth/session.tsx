import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, api, onUnauthorized } from '../lib/api';
import type { Schemas } from '../lib/api-types';

export type Role = Schemas['AdminView']['role'];

/** GET /api/v1/session; an admin's role is one of the roles, and the UI logs in by session. */
export type Caller = Omit<Schemas['Caller'], 'role'> & {
  /** NONE: a session that must enrol a second factor before anything else (mfaEnrolmentRequired). */
  role: Role | 'NONE';
  authenticatedBy: 'session' | 'sso' | 'basic' | 'token' | 'access-token';
};

interface SessionState {
  /** undefined while the first check runs, null when nobody is logged in. */
  caller: Caller | null | undefined;
  /** `code`: the TOTP or recovery code of an admin with two-factor authentication. */
  login: (username: string, password: string, code?: string) => Promise<void>;
  logout: () => Promise<void>;
  /** Asks the server again who is logged in (after two-factor authentication was turned on). */
  refresh: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [caller, setCaller] = useState<Caller | null | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    api.get<Caller>('/api/v1/session')
      .then((c) => !cancelled && setCaller(c))
      .catch(() => !cancelled && setCaller(null));
    const stop = onUnauthorized(() => setCaller(null));
    return () => {
      cancelled = true;
      stop();
    };
  }, []);

  const login = useCallback(async (username: string, password: string, code?: string) => {
    setCaller(await api.post<Caller>('/api/v1/session', code ? { username, password, code } : { username, password }));
  }, []);

  const refresh = useCallback(async () => {
    setCaller(await api.get<Caller>('/api/v1/session'));
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.delete('/api/v1/session');
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
    setCaller(null);
  }, []);

  const value = useMemo(() => ({ caller, login, logout, refresh }), [caller, login, logout, refresh]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** Whether the logged-in admin may change things; an AUDITOR sees no write controls. */
export function useCanWrite(): boolean {
  return useSession().caller?.role === 'ADMIN';
}
