import { describe, expect, it } from 'vitest';
import { keyWarning, sortByLastUse } from './keyUse';

const NOW = new Date('2026-12-01T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 24 * 60 * 60 * 1000).toISOString();

describe('keyWarning', () => {
  it('flags a key not used for 90 days, or never used and added 90 days ago', () => {
    expect(keyWarning({ createdAt: daysAgo(400), lastUsedAt: daysAgo(91) }, NOW)).toBe('unused');
    expect(keyWarning({ createdAt: daysAgo(400), lastUsedAt: daysAgo(90) }, NOW)).toBe('unused');
    expect(keyWarning({ createdAt: daysAgo(400), lastUsedAt: daysAgo(89) }, NOW)).toBeNull();
    expect(keyWarning({ createdAt: daysAgo(91), lastUsedAt: null }, NOW)).toBe('unused');
    expect(keyWarning({ createdAt: daysAgo(3), lastUsedAt: null }, NOW)).toBeNull();
  });

  it('says expired first, whatever the use', () => {
    expect(keyWarning({ createdAt: daysAgo(3), lastUsedAt: daysAgo(1), expiresAt: daysAgo(0.5) }, NOW)).toBe('expired');
    expect(keyWarning({ createdAt: daysAgo(3), expiresAt: '2999-01-01T00:00:00Z' }, NOW)).toBeNull();
  });
});

describe('sortByLastUse', () => {
  const keys = [
    { id: 1, createdAt: daysAgo(10), lastUsedAt: daysAgo(1) },
    { id: 2, createdAt: daysAgo(10), lastUsedAt: null },
    { id: 3, createdAt: daysAgo(20), lastUsedAt: daysAgo(5) },
    { id: 4, createdAt: daysAgo(30), lastUsedAt: null },
  ];

  it('puts the least recently used first, never used before all, oldest added first among those', () => {
    expect(sortByLastUse(keys).map((k) => k.id)).toEqual([4, 2, 3, 1]);
  });

  it('reverses for the most recently used first and leaves its input alone', () => {
    expect(sortByLastUse(keys, 'desc').map((k) => k.id)).toEqual([1, 3, 2, 4]);
    expect(keys.map((k) => k.id)).toEqual([1, 2, 3, 4]);
  });
});
