// Forms whose fields are not exactly the API's: a frontend deployed before its backend, a
// backend that changed fields under a stored draft, and fields kept out of local storage.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FIELD_NAMES, type ProjectFormData } from '../src/client';
import { DraftController } from '../src/draft';
import { UnsavedStore } from '../src/unsaved';
import type { FakeApi, MemoryStorage } from './fakeApi';
import { browser, wait, type TestBrowser } from './harness';

let b: TestBrowser;
let api: FakeApi;
let storage: MemoryStorage;

beforeEach(() => {
  vi.useFakeTimers();
  b = browser();
  ({ api, storage } = b);
});

afterEach(() => {
  vi.useRealTimers();
});

/** A form one field ahead of the API it talks to. */
type Ahead = ProjectFormData & { nextReleaseField: number };

function aheadTab(): DraftController<Ahead> {
  return b.tab({ fields: [...FIELD_NAMES, 'nextReleaseField'] as never }) as unknown as DraftController<Ahead>;
}

const stored = () => [...storage.items.values()].join('\n');

describe('a frontend deployed before its backend', () => {
  it('keeps the field the API does not know yet on screen and in storage, and saves the rest', async () => {
    const draft = aheadTab();
    await draft.start();
    draft.setField('nextReleaseField', 1200);
    draft.setField('projectName', 'Depot');
    await wait(1000);
    await wait(1000);
    const id = draft.getState().sessionId!;
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Depot' });
    expect(draft.getState().held).toEqual({ nextReleaseField: 'unknown field' });
    expect(draft.getState().projectData).toEqual({ projectName: 'Depot', nextReleaseField: 1200 });
    // Not sent again until the person changes it: no loop of 400s.
    const puts = api.requestsTo('PUT').length;
    await wait(60_000);
    expect(api.requestsTo('PUT')).toHaveLength(puts);
    // A reload (the backend still behind) shows it again, from storage.
    draft.detach();
    const again = aheadTab();
    await again.start();
    expect(again.getState().projectData).toEqual({ projectName: 'Depot', nextReleaseField: 1200 });
  });
});

describe('a draft holding what this form cannot', () => {
  it('shows what the API set aside and the fields this form lacks, and never sends them', async () => {
    const first = await b.started();
    const id = first.getState().sessionId!;
    first.detach();
    const session = api.sessions.get(id)!;
    session.projectData = { projectName: 'Depot', clientPhone: '555 0100' };
    session.setAside = { retiredField: 'kept', budget: 'about 12k' };
    const form = FIELD_NAMES.filter((f) => f !== 'clientPhone');
    const draft = b.tab({ fields: form });
    await draft.start();
    expect(draft.getState().projectData).toEqual({ projectName: 'Depot' });
    expect(draft.getState().setAside).toEqual({ retiredField: 'kept', budget: 'about 12k', clientPhone: '555 0100' });
    draft.setField('budget', 12000);
    await wait(1000);
    expect(api.requestsTo('PUT').at(-1)!.body).toEqual({ projectData: { budget: 12000 } });
    expect(session.projectData).toEqual({ projectName: 'Depot', clientPhone: '555 0100', budget: 12000 });
  });
});

describe('fields excluded from storage', () => {
  it('never writes them to local storage, and saves them to the API', async () => {
    const draft = await b.started({ excludeFromStorage: ['clientEmail', 'clientPhone'] });
    draft.setField('clientEmail', 'ada@example.com');
    draft.setField('clientName', 'Ada');
    expect(stored()).toContain('Ada');
    expect(stored()).not.toContain('ada@example.com');
    await wait(1000);
    const id = draft.getState().sessionId!;
    expect(api.sessions.get(id)!.projectData).toEqual({ clientEmail: 'ada@example.com', clientName: 'Ada' });
    expect(stored()).not.toContain('ada@example.com');
  });

  it('loses them when the page reloads before the save, as documented, and keeps the rest', async () => {
    const draft = await b.started({ excludeFromStorage: ['clientEmail'] });
    draft.setField('clientEmail', 'ada@example.com');
    draft.setField('clientName', 'Ada');
    api.offline = true;
    await wait(1000);
    draft.detach();
    api.offline = false;
    const again = await b.started({ excludeFromStorage: ['clientEmail'] });
    await wait(1000);
    expect(again.getState().projectData).toEqual({ clientName: 'Ada' });
  });

  it('keeps them out of a create’s stored body and sends them in the first save after it', async () => {
    const draft = b.tab({ excludeFromStorage: ['clientEmail'] });
    const writes: string[] = [];
    const setItem = storage.setItem.bind(storage);
    storage.setItem = (key, value) => {
      writes.push(value);
      setItem(key, value);
    };
    const made = draft.createSession({ clientEmail: 'ada@example.com', projectName: 'Depot' });
    await wait(0);
    const id = await made;
    expect(api.requestsTo('POST')[0].body).toMatchObject({ projectData: { projectName: 'Depot' } });
    expect(JSON.stringify(api.requestsTo('POST')[0].body)).not.toContain('ada@example.com');
    await wait(1000);
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Depot', clientEmail: 'ada@example.com' });
    expect(writes.join('\n')).not.toContain('ada@example.com');
  });
});

describe('renamed fields in local storage', () => {
  it('reads an edit kept under a field’s old name as that field, the current name winning', () => {
    const store = new UnsavedStore(storage, ['renamedField', 'projectName'], { oldFieldName: 'renamedField' });
    storage.setItem(
      'projectSession:unsaved:d1',
      JSON.stringify({ fields: { oldFieldName: { value: '555', base: null }, projectName: { value: 'P', base: null } } }),
    );
    expect(store.read('d1').fields).toEqual({ renamedField: { value: '555', base: null }, projectName: { value: 'P', base: null } });
    storage.setItem(
      'projectSession:unsaved:d2',
      JSON.stringify({ fields: { renamedField: { value: 'new', base: null }, oldFieldName: { value: 'old', base: null } } }),
    );
    expect(store.read('d2').fields).toEqual({ renamedField: { value: 'new', base: null } });
  });
});

describe('forms with fewer fields than the API', () => {
  it('ignores an input that is not one of the form’s fields instead of sending it', async () => {
    const draft = await b.started({ fields: ['projectName'] });
    (draft.setField as (field: string, value: string) => void)('confirmEmail', 'ada@example.com');
    draft.setField('projectName', 'Depot');
    await wait(1000);
    expect(api.requestsTo('PUT').map((r) => r.body)).toEqual([{ projectData: { projectName: 'Depot' } }]);
    expect(stored()).not.toContain('confirmEmail');
  });

  it('leaves another page’s unsaved edits in storage when a page with fewer fields writes', async () => {
    const full = await b.started();
    const id = full.getState().sessionId!;
    api.offline = true;
    full.setField('budget', 12000);
    await wait(1000);
    full.detach();
    const step = b.tab({ fields: ['projectName'] });
    await step.start();
    step.setField('projectName', 'Depot');
    expect(JSON.parse(storage.getItem(`projectSession:unsaved:${id}`)!).fields).toMatchObject({
      budget: { value: 12000 },
      projectName: { value: 'Depot' },
    });
  });

  it('removes a field kept out of storage that an older version left there, and never brings it back', async () => {
    const first = await b.started();
    const id = first.getState().sessionId!;
    first.detach();
    storage.setItem(`projectSession:unsaved:${id}`, JSON.stringify({ fields: { clientEmail: { value: 'old@example.com', base: null } } }));
    const draft = await b.started({ excludeFromStorage: ['clientEmail'] });
    expect(draft.getState().projectData).toEqual({});
    draft.setField('clientEmail', 'new@example.com');
    await wait(1000);
    expect(stored()).not.toContain('old@example.com');
    draft.detach();
    const again = await b.started({ excludeFromStorage: ['clientEmail'] });
    expect(again.getState().projectData).toEqual({ clientEmail: 'new@example.com' });
    expect(again.getState().conflicts).toEqual([]);
  });

  it('stops showing a set-aside value once a new value of that field is saved', async () => {
    const first = await b.started();
    const id = first.getState().sessionId!;
    first.detach();
    api.sessions.get(id)!.setAside = { budget: 'about 12k', retiredField: 'kept' };
    const draft = await b.started();
    expect(draft.getState().setAside).toEqual({ budget: 'about 12k', retiredField: 'kept' });
    draft.setField('budget', 12000);
    await wait(1000);
    expect(draft.getState().saveStatus).toBe('saved');
    expect(draft.getState().setAside).toEqual({ retiredField: 'kept' });
  });
});
