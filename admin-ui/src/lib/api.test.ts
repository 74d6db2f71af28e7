import { describe, expect, it } from 'vitest';
import { ApiError, formField, problemToError, query, readCookie } from './api';

const PROBLEM = 'application/problem+json';

describe('problemToError', () => {
  it('keeps the title and detail and names the field of a problem', () => {
    const e = problemToError(400, PROBLEM, JSON.stringify({
      title: 'Invalid input', status: 400, detail: "'nope' is not an IP address or CIDR", field: 'allowedIps',
      errors: [{ field: 'allowedIps', message: "'nope' is not an IP address or CIDR" }],
    }));
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(400);
    expect(e.title).toBe('Invalid input');
    expect(e.message).toBe("'nope' is not an IP address or CIDR");
    expect(e.fieldErrors).toEqual({ allowedIps: "'nope' is not an IP address or CIDR" });
  });

  it('maps indexed fields to the form field', () => {
    const e = problemToError(400, PROBLEM, JSON.stringify({ detail: 'the key data is not valid base64', field: 'publicKeys[2]' }));
    expect(e.fieldErrors).toEqual({ publicKeys: 'the key data is not valid base64' });
    expect(e.serverFieldErrors).toEqual({ 'publicKeys[2]': 'the key data is not valid base64' });
    expect(formField('quota.maxBytes')).toBe('quota.maxBytes');
    expect(formField('a[0].b[12]')).toBe('a.b');
  });

  it('gives a readable message when the body is not a problem', () => {
    expect(problemToError(502, 'text/html', '<html>Bad gateway</html>').message).toMatch(/server could not complete/);
    expect(problemToError(500, PROBLEM, '{not json').title).toBe('Server error');
    expect(problemToError(0, null, '').message).toMatch(/could not be reached/);
    expect(problemToError(404, PROBLEM, '').title).toBe('Not found');
  });

  it('ignores malformed errors entries', () => {
    const e = problemToError(400, PROBLEM, JSON.stringify({ detail: 'bad', errors: [null, 3, { field: 1 }, { field: 'x', message: 'y' }] }));
    expect(e.fieldErrors).toEqual({ x: 'y' });
  });
});

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    expect(readCookie('XSRF-TOKEN', 'a=1; XSRF-TOKEN=abc%3D%3D; b=2')).toBe('abc==');
    expect(readCookie('XSRF-TOKEN', 'a=1')).toBeNull();
    expect(readCookie('XSRF-TOKEN', '')).toBeNull();
  });
});

describe('query', () => {
  it('leaves out empty values and encodes the rest', () => {
    expect(query({ q: 'a b', page: 0, size: 20, type: '', x: undefined, y: null })).toBe('?q=a+b&page=0&size=20');
    expect(query({})).toBe('');
  });
});
