import { describe, expect, it } from 'vitest';
import { filtersFromParams, formFromFilters, paramsFromForm, validateFilters } from './filters';

describe('audit filters', () => {
  it('go from the URL to the form and back', () => {
    const params = new URLSearchParams('username=acme&type=UPLOAD&from=2026-11-24T10:00:00.000Z&path=/inbox&page=2');
    const form = formFromFilters(filtersFromParams(params));
    expect(form).toEqual({ username: 'acme', type: 'UPLOAD', from: '2026-11-24T10:00', to: '', path: '/inbox' });
    expect(paramsFromForm(form)).toEqual({ username: 'acme', type: 'UPLOAD', from: '2026-11-24T10:00:00.000Z', path: '/inbox' });
  });

  it('need "from" before "to"', () => {
    expect(validateFilters({ username: '', type: '', from: '2026-11-24T10:00', to: '2026-11-24T09:00', path: '' }).from).toMatch(/before/);
    expect(validateFilters({ username: '', type: '', from: '2026-11-24T08:00', to: '2026-11-24T09:00', path: '' })).toEqual({});
  });
});
