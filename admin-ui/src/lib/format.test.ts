import { describe, expect, it } from 'vitest';
import { formatBucket, formatBytes, formatDuration, formatSince, formatTime, isoToLocalInput, localInputToIso } from './format';

describe('formatBytes', () => {
  const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

  it.each(UNITS.flatMap((unit, power) => [1, 10, 100, 1000].map((n) => [n, unit, power] as const)))(
    'shows %i %s as itself', (n, unit, power) => {
      expect(formatBytes(n * 1024 ** power)).toBe(`${n} ${unit}`);
      expect(formatBytes(-n * 1024 ** power)).toBe(`-${n} ${unit}`);
    });

  it('shows fractions with at most three significant digits, trailing zeros of the fraction only dropped', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GiB');
    expect(formatBytes(1.25 * 1024 ** 2)).toBe('1.25 MiB');
    expect(formatBytes(10.5 * 1024 ** 4)).toBe('10.5 TiB');
    expect(formatBytes(101.4 * 1024 ** 2)).toBe('101 MiB');
    expect(formatBytes(200_000)).toBe('195 KiB');
    expect(formatBytes(123456789)).toBe('118 MiB');
    expect(formatBytes(2.5 * 1024 ** 5)).toBe('2.5 PiB');
  });

  it('moves to the next unit instead of showing 1024 of a unit after rounding', () => {
    expect(formatBytes(1024 ** 2 - 1)).toBe('1 MiB');
    expect(formatBytes(1023.6 * 1024 ** 3)).toBe('1 TiB');
    expect(formatBytes(1023.4 * 1024)).toBe('1023 KiB');
    expect(formatBytes(9.999 * 1024)).toBe('10 KiB');
  });

  it('keeps whole numbers of an unfinished unit and fractional byte counts readable', () => {
    expect(formatBytes(1000 * 1024 ** 5)).toBe('1000 PiB');
    expect(formatBytes(0.5)).toBe('0.5 B');
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('times (TZ=UTC in tests)', () => {
  it('shows ISO times readably', () => {
    expect(formatTime('2026-11-24T10:00:05Z')).toBe('2026-11-24 10:00:05');
    expect(formatTime(null)).toBe('—');
    expect(formatTime('garbage')).toBe('garbage');
  });

  it('converts datetime-local values to ISO-8601 and back', () => {
    expect(localInputToIso('2026-11-24T10:30')).toBe('2026-11-24T10:30:00.000Z');
    expect(localInputToIso('')).toBeNull();
    expect(localInputToIso('not a date')).toBeNull();
    expect(isoToLocalInput('2026-11-24T10:30:00Z')).toBe('2026-11-24T10:30');
    expect(isoToLocalInput(null)).toBe('');
  });

  it('labels chart buckets', () => {
    expect(formatBucket('2026-11-24T07:00:00Z', 'hour')).toBe('07:00');
    expect(formatBucket('2026-11-24T00:00:00Z', 'day')).toBe('11-24');
  });

  it('formats durations and ages', () => {
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(2500)).toBe('2.5 s');
    expect(formatDuration(125000)).toBe('2 min 5 s');
    const now = new Date('2026-11-24T12:00:00Z');
    expect(formatSince('2026-11-24T11:59:30Z', now)).toBe('30 s');
    expect(formatSince('2026-11-24T11:15:00Z', now)).toBe('45 min');
    expect(formatSince('2026-11-24T09:30:00Z', now)).toBe('2 h 30 min');
  });
});
