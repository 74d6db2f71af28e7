// What the Keys page says about a key's use: pure functions, unit-tested.

/** Keys not used for this long are flagged for review. */
export const UNUSED_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface KeyUse {
  createdAt: string;
  expiresAt?: string | null;
  lastUsedAt?: string | null;
}

/**
 * 'expired' once expiresAt has passed; 'unused' when the key has not logged in for 90 days (or
 * never, and was added more than 90 days ago); null otherwise.
 */
export function keyWarning(key: KeyUse, now: Date = new Date()): 'expired' | 'unused' | null {
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= now.getTime()) return 'expired';
  const since = key.lastUsedAt ?? key.createdAt;
  const time = new Date(since).getTime();
  if (!Number.isNaN(time) && now.getTime() - time >= UNUSED_DAYS * DAY_MS) return 'unused';
  return null;
}

/**
 * Sorted by last use: least recently used first (never used before any use, the oldest added first
 * among those), so the keys to review come first; 'desc' reverses it.
 */
export function sortByLastUse<T extends KeyUse>(keys: readonly T[], direction: 'asc' | 'desc' = 'asc'): T[] {
  const rank = (k: KeyUse) => (k.lastUsedAt ? new Date(k.lastUsedAt).getTime() : Number.NEGATIVE_INFINITY);
  const sorted = [...keys].sort((a, b) => {
    const byUse = rank(a) - rank(b);
    if (byUse !== 0 && !Number.isNaN(byUse)) return byUse;
    return new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime();
  });
  return direction === 'asc' ? sorted : sorted.reverse();
}
