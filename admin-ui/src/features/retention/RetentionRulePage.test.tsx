import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Handler } from '../../test/fakeServer';
import { renderSignedIn } from '../../test/renderSignedIn';
import { RetentionRulePage } from './RetentionRulePage';
import { RetentionRulesPage } from './RetentionRulesPage';

const RULE = {
  id: 3, name: 'outbox-30d', path: '/outbox/**', username: 'acme', days: 30, enabled: true,
  createdAt: '2026-12-01T10:00:00Z', updatedAt: '2026-12-01T10:00:00Z',
};
const FILE = { username: 'acme', path: '/outbox/old.csv', size: 2048, modifiedAt: '2026-10-01T08:00:00Z' };
const PREVIEW = {
  ruleId: 3, rule: 'outbox-30d', dryRun: true, olderThan: '2026-11-07T10:00:00Z', totalFiles: 150, totalBytes: 3 * 1024 * 1024,
  files: [FILE, { ...FILE, path: '/outbox/older.csv' }], truncated: true, skipped: 0, failures: [],
};

function renderAt(path: string, role: 'ADMIN' | 'AUDITOR', handler: Handler) {
  return renderSignedIn(path, role, { '/retention': <RetentionRulesPage />, '/retention/:id': <RetentionRulePage /> }, handler);
}

afterEach(() => vi.unstubAllGlobals());

describe('RetentionRulePage', () => {
  it('creates a rule, moves to its page, and previews what it would delete', async () => {
    const calls = renderAt('/retention/new', 'ADMIN', (call) => {
      if (call.method === 'POST' && call.url === '/api/v1/retention-rules') return { status: 201, body: RULE };
      if (call.url === '/api/v1/retention-rules/3') return { status: 200, body: RULE };
      if (call.url === '/api/v1/retention-rules/3/preview?size=100') return { status: 200, body: PREVIEW };
      return undefined;
    });
    await userEvent.type(await screen.findByLabelText('Name'), 'outbox-30d');
    await userEvent.type(screen.getByLabelText('User'), 'acme');
    expect(screen.queryByRole('button', { name: 'Preview' })).toBeNull(); // nothing saved to preview yet
    await userEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    expect(await screen.findByRole('heading', { name: 'Retention rule outbox-30d' })).toBeInTheDocument();
    expect(screen.getByText('Created outbox-30d.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ name: 'outbox-30d', path: '/outbox/**', username: 'acme', days: 30, enabled: true });
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    const report = await screen.findByRole('region', { name: 'Preview of outbox-30d' });
    expect(report).toHaveTextContent('150 files (3 MiB) would be deleted');
    expect(report).toHaveTextContent('Nothing was changed.');
    expect(report).toHaveTextContent('The first 2 of 150 are listed.');
    expect(within(report).getByRole('row', { name: /\/outbox\/older\.csv/ })).toHaveTextContent('acme');
    expect(calls.filter((c) => c.url.includes('/run'))).toHaveLength(0);
  });

  it('shows the server’s refusal under the field it names', async () => {
    const calls = renderAt('/retention/new', 'ADMIN', (call) => (call.method === 'POST'
      ? { status: 400, body: { title: 'Invalid input', status: 400, field: 'username',
        detail: "there is no user named 'nobody'; leave username out (or null) for a rule that applies to every user" } }
      : undefined));
    await userEvent.type(await screen.findByLabelText('Name'), 'outbox-30d');
    await userEvent.type(screen.getByLabelText('User'), 'nobody');
    await userEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    await waitFor(() => expect(screen.getByLabelText('User')).toHaveAccessibleDescription(/no user named 'nobody'/));
    expect(screen.getByLabelText('Path glob')).not.toHaveAccessibleDescription(/no user/);
    await userEvent.clear(screen.getByLabelText('Older than (days)'));
    await userEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    expect(screen.getByLabelText('Older than (days)')).toHaveAccessibleDescription(/1 to 36500/);
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1); // the second was not sent
  });

  it('runs a rule after a confirmation and shows what was deleted and what failed', async () => {
    const calls = renderAt('/retention/3', 'ADMIN', (call) => {
      if (call.method === 'POST' && call.url === '/api/v1/retention-rules/3/run?size=100') {
        return { status: 200, body: { ...PREVIEW, dryRun: false, totalFiles: 1, totalBytes: 2048, files: [FILE], truncated: false, skipped: 1,
          failures: ['acme: /outbox/locked.csv: access denied'] } };
      }
      return call.url === '/api/v1/retention-rules/3' ? { status: 200, body: RULE } : undefined;
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Run now' }));
    const dialog = screen.getByRole('dialog');
    expect(dialog).toHaveTextContent('Deletes files older than 30 days under /outbox/** of acme now');
    expect(calls.filter((c) => c.url.includes('/run'))).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete files now' }));
    const report = await screen.findByRole('region', { name: 'Run of outbox-30d' });
    expect(report).toHaveTextContent('1 file (2 KiB) deleted');
    expect(report).toHaveTextContent('1 changed or removed meanwhile, left alone.');
    expect(report).toHaveTextContent('acme: /outbox/locked.csv: access denied');
    expect(report).not.toHaveTextContent('Nothing was changed');
  });

  it('shows a run refused while a round runs', async () => {
    renderAt('/retention/3', 'ADMIN', (call) => {
      if (call.url.endsWith('/run?size=100')) {
        return { status: 409, body: { title: 'Conflict', status: 409, detail: 'a retention round is running; try again when it is done' } };
      }
      return call.url === '/api/v1/retention-rules/3' ? { status: 200, body: RULE } : undefined;
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Run now' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete files now' }));
    expect(await screen.findByText('Conflict: a retention round is running; try again when it is done')).toBeInTheDocument();
  });

  it('saves with PUT (dropping the preview of the rule as it was) and deletes after a confirmation', async () => {
    const calls = renderAt('/retention/3', 'ADMIN', (call) => {
      if (call.url === '/api/v1/retention-rules/3' && call.method === 'DELETE') return { status: 204 };
      if (call.url === '/api/v1/retention-rules/3') {
        return { status: 200, body: call.method === 'PUT' ? { ...RULE, days: 7, updatedAt: '2026-12-07T11:00:00Z' } : RULE };
      }
      if (call.url === '/api/v1/retention-rules/3/preview?size=100') return { status: 200, body: PREVIEW };
      return call.url === '/api/v1/retention-rules' ? { status: 200, body: [] } : undefined;
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Preview' }));
    expect(await screen.findByRole('region', { name: 'Preview of outbox-30d' })).toBeInTheDocument();
    const days = screen.getByLabelText('Older than (days)');
    await userEvent.clear(days);
    await userEvent.type(days, '7');
    await userEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Saved outbox-30d.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')!.body).toEqual({ name: 'outbox-30d', path: '/outbox/**', username: 'acme', days: 7, enabled: true });
    expect(screen.getByText('files older than 7 days under /outbox/** of acme')).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: /Preview of/ })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Delete rule' }));
    await userEvent.click(within(screen.getByRole('dialog', { name: 'Delete outbox-30d?' })).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('No retention rules yet.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'DELETE')).toBe(true);
  });

  it('lets an auditor read and preview a rule, but not change or run it', async () => {
    renderAt('/retention/3', 'AUDITOR', (call) => {
      if (call.url === '/api/v1/retention-rules/3/preview?size=100') return { status: 200, body: { ...PREVIEW, totalFiles: 0, totalBytes: 0, files: [], truncated: false } };
      return call.url === '/api/v1/retention-rules/3' ? { status: 200, body: RULE } : undefined;
    });
    expect(await screen.findByRole('heading', { name: 'Retention rule outbox-30d' })).toBeInTheDocument();
    expect(screen.getByLabelText('Path glob')).toBeDisabled();
    expect(screen.queryByRole('button', { name: /Save|Delete|Run now/ })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(await screen.findByRole('region', { name: 'Preview of outbox-30d' })).toHaveTextContent('0 files (0 B) would be deleted');
  });
});

describe('RetentionRulesPage', () => {
  it('lists rules with their path, user and age; an auditor gets no New rule', async () => {
    renderAt('/retention', 'AUDITOR', (call) => (call.url === '/api/v1/retention-rules'
      ? { status: 200, body: [RULE, { ...RULE, id: 4, name: 'tmp-1d', username: null, path: '/tmp', days: 1, enabled: false }] }
      : undefined));
    const row = (await screen.findByRole('rowheader', { name: 'outbox-30d' })).closest('tr')!;
    expect(row).toHaveTextContent('enabled/outbox/**acme30 days');
    expect(within(row).getByRole('link', { name: 'outbox-30d' })).toHaveAttribute('href', '/retention/3');
    expect(screen.getByRole('rowheader', { name: 'tmp-1d' }).closest('tr')).toHaveTextContent('disabled/tmpevery user1 day');
    expect(screen.queryByRole('link', { name: 'New rule' })).toBeNull();
  });
});
