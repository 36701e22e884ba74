// The react-hook-form adapter in a DOM (happy-dom), on the fake API: typing autosaves, a loaded
// draft fills the form without overwriting what is typed, refused fields are field errors.

import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useForm } from 'react-hook-form';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectFormData } from '../src/client';
import { useDraftForm } from '../src/react-hook-form';
import type { UseDraftOptions } from '../src/useProjectSession';
import { FakeApi, MemoryStorage } from './fakeApi';

let api: FakeApi;
let storage: MemoryStorage;

function Form({ options, defaults }: { options: UseDraftOptions<ProjectFormData>; defaults?: Partial<ProjectFormData> }) {
  const form = useForm<ProjectFormData>({ defaultValues: defaults });
  const draft = useDraftForm(form, options);
  const { errors } = form.formState;
  return (
    <form>
      <input aria-label="Project name" {...form.register('projectName')} />
      <input aria-label="Client name" {...form.register('clientName')} />
      <input aria-label="Building type" {...form.register('buildingType')} />
      <input aria-label="Budget" type="number" {...form.register('budget', { valueAsNumber: true })} />
      {errors.projectName && <p role="alert">{errors.projectName.message}</p>}
      <p data-testid="status">{draft.saveStatus}</p>
      <button type="button" onClick={() => void draft.resolveConflicts('mine')}>
        Keep mine
      </button>
      <button type="button" onClick={() => form.setValue('clientName', 'Ada from the address book')}>
        Autofill client
      </button>
    </form>
  );
}

const options = (): UseDraftOptions<ProjectFormData> => ({
  baseUrl: 'http://api.test',
  fetch: api.fetch,
  storage,
  events: null,
  broadcast: null,
  locks: null,
  autosaveDelay: 20,
  retryDelay: 50,
  autoStart: true,
});

const input = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
const type = (label: string, value: string) => act(() => void fireEvent.change(input(label), { target: { value } }));
const stored = () => [...api.sessions.values()][0]?.projectData;

beforeEach(() => {
  api = new FakeApi();
  storage = new MemoryStorage();
});

afterEach(cleanup);

describe('useDraftForm', () => {
  it('autosaves what is typed, and a reload fills the form from the draft', async () => {
    const page = render(<Form options={options()} />);
    await waitFor(() => expect(api.sessions.size).toBe(1));
    await type('Project name', 'Depot');
    await type('Budget', '12000');
    await waitFor(() => expect(stored()).toEqual({ projectName: 'Depot', budget: 12000 }));
    page.unmount();

    render(<Form options={options()} />);
    await waitFor(() => expect(input('Project name').value).toBe('Depot'));
    expect(input('Budget').value).toBe('12000');
  });

  it('fills the form from a draft that loads late without overwriting what was typed meanwhile', async () => {
    const first = render(<Form options={options()} />);
    await waitFor(() => expect(api.sessions.size).toBe(1));
    await type('Project name', 'Saved name');
    await type('Client name', 'Saved client');
    await waitFor(() => expect(stored()).toEqual({ projectName: 'Saved name', clientName: 'Saved client' }));
    first.unmount();

    // The reload's GET fails once: the person types before the draft arrives.
    api.failNext({ status: 503 });
    render(<Form options={options()} />);
    await type('Project name', 'Typed while loading');
    await waitFor(() => expect(input('Client name').value).toBe('Saved client'));
    expect(input('Project name').value).toBe('Typed while loading');
    // Typed over a saved value the person had not seen yet: theirs to choose, not silently lost.
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('conflict'));
    await act(() => void fireEvent.click(screen.getByText('Keep mine')));
    await waitFor(() => expect(stored()).toEqual({ projectName: 'Typed while loading', clientName: 'Saved client' }));
    expect(input('Project name').value).toBe('Typed while loading');
  });

  it('shows a field the API refused as that field’s error, and clears it once the API takes it', async () => {
    render(<Form options={options()} />);
    await waitFor(() => expect(api.sessions.size).toBe(1));
    await type('Project name', 'x'.repeat(201));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('must be at most 200 characters'));
    await type('Project name', 'Short');
    await waitFor(() => expect(stored()).toEqual({ projectName: 'Short' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
  });

  it('keeps a default the draft never had, and saves a value the app sets itself', async () => {
    render(<Form options={options()} defaults={{ buildingType: 'office' }} />);
    await waitFor(() => expect(api.sessions.size).toBe(1));
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('idle'));
    expect(input('Building type').value).toBe('office');
    await act(() => void fireEvent.click(screen.getByText('Autofill client')));
    await waitFor(() => expect(stored()).toEqual({ clientName: 'Ada from the address book' }));
    expect(input('Client name').value).toBe('Ada from the address book');
  });
});
