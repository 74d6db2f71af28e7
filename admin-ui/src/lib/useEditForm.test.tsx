import { act, renderHook } from '@testing-library/react';
import type { FormEvent } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import { useEditForm } from './useEditForm';

const event = () => ({ preventDefault: vi.fn() }) as unknown as FormEvent;

function editor(validate = (f: { name: string }) => (f.name ? {} : { name: 'name is required' })) {
  return renderHook(() => useEditForm(() => ({ name: '' }), {
    validate,
    fieldErrors: (e) => (Object.keys(e.fieldErrors).length > 0 ? e.fieldErrors : undefined),
  }));
}

describe('useEditForm', () => {
  it('does not send a form it finds wrong, and says what is wrong', async () => {
    const { result } = editor();
    const save = vi.fn(async () => {});
    await act(() => result.current.submit(event(), save));
    expect(save).not.toHaveBeenCalled();
    expect(result.current.errors).toEqual({ name: 'name is required' });
    expect(result.current.busy).toBe(false);
  });

  it('sends the form as it is, then clears the busy flag', async () => {
    const { result } = editor();
    act(() => result.current.set('name')('acme'));
    const save = vi.fn(async () => {});
    await act(() => result.current.submit(event(), save));
    expect(save).toHaveBeenCalledWith({ name: 'acme' });
    expect(result.current.errors).toEqual({});
    expect(result.current.failure).toBeUndefined();
    expect(result.current.busy).toBe(false);
  });

  it('shows the server’s refusal under the fields it names, and any other failure above the form', async () => {
    const { result } = editor(() => ({}));
    await act(() => result.current.submit(event(), async () => {
      throw new ApiError(400, 'Invalid input', 'name is taken', { name: 'name is taken' });
    }));
    expect(result.current.errors).toEqual({ name: 'name is taken' });
    expect(result.current.failure).toBeUndefined();

    const down = new ApiError(503, 'Service Unavailable', 'the database is not reachable');
    await act(() => result.current.submit(event(), async () => {
      throw down;
    }));
    expect(result.current.errors).toEqual({});
    expect(result.current.failure).toBe(down);
    expect(result.current.busy).toBe(false);
  });

  it('shows a failed deletion and closes its confirmation', async () => {
    const { result } = editor();
    act(() => result.current.setConfirmDelete(true));
    const refused = new ApiError(409, 'Conflict', 'the last ADMIN cannot be deleted');
    await act(() => result.current.remove(async () => {
      throw refused;
    }));
    expect(result.current.failure).toBe(refused);
    expect(result.current.confirmDelete).toBe(false);
    expect(result.current.busy).toBe(false);
  });
});
