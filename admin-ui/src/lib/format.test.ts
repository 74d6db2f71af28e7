import { describe, expect, it } from 'vitest';
import { formatBucket, formatBytes, formatDuration, formatSince, formatTime, isoToLocalInput, localInputToIso } from './format';

describe('formatBytes', () => {
  it('uses binary units with at most three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(1073741824)).toBe('1 GiB');
    expect(formatBytes(123456789)).toBe('118 MiB');
    expect(formatBytes(null)).toBe('—');
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
