import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Handler } from '../../test/fakeServer';
import { renderSignedIn } from '../../test/renderSignedIn';
import { DeliveriesPage } from './DeliveriesPage';

const BASE = {
  ruleId: 7, rule: 'acme-inbox', actionIndex: 0, action: 'webhook', eventType: 'UPLOAD', path: '/inbox/a.csv',
  createdAt: '2026-12-01T10:00:00Z', nextAttemptAt: null, deliveredAt: null, latencyMs: null, lastStatus: null, lastError: null,
};
const DEAD = { ...BASE, id: 3, eventId: 103, status: 'dead', attempts: 12, lastStatus: 500, lastError: '500: <html>Internal error' };
const PENDING = { ...BASE, id: 2, eventId: 102, status: 'pending', attempts: 1, nextAttemptAt: '2026-12-01T10:01:00Z', lastError: 'connection refused' };
const DELIVERED = { ...BASE, id: 1, eventId: 101, status: 'delivered', attempts: 1, lastStatus: 200, deliveredAt: '2026-12-01T10:00:01Z', latencyMs: 42 };
const RULES = [{ id: 7, name: 'acme-inbox', enabled: true, events: ['UPLOAD'], usernames: [], groups: [], paths: [], minSize: null, actions: [], createdAt: '', updatedAt: '' }];

function renderAt(path: string, role: 'ADMIN' | 'AUDITOR', handler: Handler) {
  return renderSignedIn(path, role, { '/events/deliveries': <DeliveriesPage /> },
    (call) => (call.url === '/api/v1/event-rules' ? { status: 200, body: RULES } : handler(call)));
}

const page = (content: unknown[]) => ({ status: 200, body: { content, page: 0, size: 50, totalElements: content.length } });

afterEach(() => vi.unstubAllGlobals());

describe('DeliveriesPage', () => {
  it('shows a rule’s deliveries with status, attempts, last answer and latency', async () => {
    const calls = renderAt('/events/deliveries?rule=acme-inbox', 'AUDITOR', (call) =>
      call.url.startsWith('/api/v1/event-deliveries?') ? page([DEAD, PENDING, DELIVERED]) : undefined);
    const dead = (await screen.findByRole('rowheader', { name: '103' })).closest('tr')!;
    expect(dead).toHaveTextContent('dead');
    expect(dead).toHaveTextContent('12');
    expect(dead).toHaveTextContent('500');
    expect(dead).toHaveTextContent('500: <html>Internal error');
    expect(screen.getByRole('rowheader', { name: '101' }).closest('tr')).toHaveTextContent('(42 ms)');
    expect(screen.getByRole('heading', { name: 'Deliveries of acme-inbox' })).toBeInTheDocument();
    expect(calls.find((c) => c.url.startsWith('/api/v1/event-deliveries'))!.url).toBe('/api/v1/event-deliveries?rule=acme-inbox&page=0&size=50');
    expect(screen.queryByRole('button', { name: /Retry/ })).toBeNull(); // an auditor reads only
  });

  it('filters by status', async () => {
    const calls = renderAt('/events/deliveries', 'ADMIN', (call) =>
      call.url.startsWith('/api/v1/event-deliveries?') ? page(call.url.includes('status=dead') ? [DEAD] : [DEAD, DELIVERED]) : undefined);
    await screen.findByRole('rowheader', { name: '101' });
    // the answer for status=dead waits until released
    const answer = globalThis.fetch;
    let release = () => {};
    vi.stubGlobal('fetch', (url: string, init?: RequestInit) => (url.includes('status=dead')
      ? new Promise<Response>((resolve) => { release = () => resolve(answer(url, init)); })
      : answer(url, init)));
    await userEvent.selectOptions(screen.getByLabelText('Status'), 'dead');
    // while it loads, the rows of the previous filter are not shown under the new one
    await waitFor(() => expect(screen.getByLabelText('Status')).toHaveValue('dead'));
    expect(screen.queryByRole('rowheader', { name: '101' })).toBeNull();
    release();
    await screen.findByRole('rowheader', { name: '103' });
    expect(calls.some((c) => c.url === '/api/v1/event-deliveries?status=dead&page=0&size=50')).toBe(true); // once released
  });

  it('retries one dead delivery, offers no retry for a delivered one', async () => {
    const calls = renderAt('/events/deliveries', 'ADMIN', (call) => {
      if (call.method === 'POST' && call.url === '/api/v1/event-deliveries/3/retry') return { status: 200, body: { ...DEAD, status: 'pending' } };
      return call.url.startsWith('/api/v1/event-deliveries?') ? page([DEAD, PENDING, DELIVERED]) : undefined;
    });
    await screen.findByRole('rowheader', { name: '103' });
    expect(screen.getByRole('button', { name: 'Retry delivery 2 of event 102' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Retry delivery 1 / })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Retry delivery 3 of event 103' }));
    expect(await screen.findByText('Delivery 3 (event 103) is queued to be sent now.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.url)).toEqual(['/api/v1/event-deliveries/3/retry']);
  });

  it('retries every dead delivery of the rule after a confirmation', async () => {
    const calls = renderAt('/events/deliveries?rule=acme-inbox', 'ADMIN', (call) => {
      if (call.method === 'POST') return { status: 200, body: { retried: 4 } };
      return call.url.startsWith('/api/v1/event-deliveries?') ? page([DEAD]) : undefined;
    });
    await screen.findByRole('rowheader', { name: '103' });
    await userEvent.click(screen.getByRole('button', { name: 'Retry all dead' }));
    const dialog = screen.getByRole('dialog');
    expect(dialog).toHaveTextContent('Every dead delivery of acme-inbox');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Retry all dead' }));
    expect(await screen.findByText('4 dead deliveries are queued to be sent again.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.url)).toEqual(['/api/v1/event-deliveries/retry?rule=acme-inbox&status=dead']);
  });
});
