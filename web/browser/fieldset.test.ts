// The draft core (no browser needed) against the real API on DynamoDB Local: a form one field
// ahead of its backend, as during a rolling deploy that ships the frontend first.

import { describe, expect, inject, it } from 'vitest';
import { FIELD_NAMES, SessionClient, type ProjectFormData } from '../src';
import { DraftController } from '../src/draft';
import { MemoryStorage } from '../test/fakeApi';
import { eventually, stored } from './helpers';

const main = inject('main');

type Ahead = ProjectFormData & { nextReleaseField: number };

function tab(storage: MemoryStorage): DraftController<Ahead> {
  return new DraftController<Ahead>({
    client: new SessionClient({ baseUrl: main.apiUrl }),
    fields: [...FIELD_NAMES, 'nextReleaseField'],
    storage,
    events: null,
    broadcast: null,
    locks: null,
    autosaveDelay: 50,
  });
}

describe('a form one field ahead of the API', () => {
  it('keeps the field the API does not know on screen and in storage, and saves the rest', async () => {
    const storage = new MemoryStorage();
    const draft = tab(storage);
    draft.attach();
    await draft.start();
    draft.setField('nextReleaseField', 1200);
    draft.setField('projectName', 'Depot');
    await draft.saveNow();
    await eventually(async () => draft.getState().held.nextReleaseField !== undefined);
    expect(draft.getState().held).toEqual({ nextReleaseField: 'unknown field' });
    const id = draft.getState().sessionId!;
    await eventually(async () => (await stored(main.apiUrl, id)).body.projectData?.projectName === 'Depot');
    expect((await stored(main.apiUrl, id)).body.projectData).toEqual({ projectName: 'Depot' });
    draft.detach();

    const reloaded = tab(storage);
    reloaded.attach();
    await reloaded.start();
    expect(reloaded.getState().projectData).toEqual({ projectName: 'Depot', nextReleaseField: 1200 });
    reloaded.detach();
  });
});
