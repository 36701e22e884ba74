'use client';
// The `@project-session/web/react-hook-form` entry: a react-hook-form (7.x) form whose values
// autosave through the draft. What the person types, and what the app sets (`setValue`,
// `reset`), goes to the draft at once; a draft loaded or changed elsewhere fills the form, but
// never over what is being typed (every keystroke reaches the draft first, so the draft already
// shows it); fields the API refused show as the form's field errors.

import { useEffect, useRef } from 'react';
import type { FieldValues, Path, PathValue, UseFormReturn } from 'react-hook-form';
import { FIELD_NAMES } from './client';
import { normalize } from './draft/fields';
import { useDraft, type Draft, type UseDraftOptions } from './useProjectSession';

/** The error type this adapter sets (and clears) for a field the API refused. */
export const SERVER_ERROR = 'server';

/**
 * Autosaves `form` through a draft. Register number inputs with `valueAsNumber: true`, so that
 * they reach the API as numbers; an emptied field is removed from the draft. Inputs that are
 * not fields of the draft (`options.fields`, all of the API's by default) are left to the form.
 */
export function useDraftForm<T extends FieldValues>(form: UseFormReturn<T>, options: UseDraftOptions<T> = {}): Draft<T> {
  const draft = useDraft<T>(options);
  const { setField } = draft;
  const fields = useRef<readonly string[]>(options.fields ?? FIELD_NAMES).current;
  /** True while this adapter writes into the form: those writes are the draft's, not news for it. */
  const applying = useRef(false);

  // Form -> draft: the person's changes and the app's (`setValue`, `reset`).
  useEffect(() => {
    const subscription = form.watch((values, { name }) => {
      if (applying.current) return;
      const all = values as Record<string, unknown>;
      for (const field of name === undefined ? fields : [name]) {
        if (!fields.includes(field)) continue;
        setField(field as keyof T & string, normalize(all[field]) as T[keyof T & string] | null);
      }
    });
    return () => subscription.unsubscribe();
  }, [form, setField, fields]);

  // Draft -> form: a loaded draft, another tab's save, a resolved conflict. A field the draft
  // never had keeps what the form has (its default, say); one the draft had and lost is emptied.
  const { projectData } = draft;
  const previous = useRef<Record<string, unknown>>({});
  useEffect(() => {
    if (projectData === null) return;
    const now = projectData as Record<string, unknown>;
    applying.current = true;
    try {
      for (const name of fields) {
        if (!(name in now) && !(name in previous.current)) continue;
        const shown = normalize(now[name]);
        if (normalize(form.getValues(name as Path<T>)) === shown) continue;
        form.setValue(name as Path<T>, (shown ?? '') as PathValue<T, Path<T>>, { shouldDirty: false, shouldValidate: false });
      }
    } finally {
      applying.current = false;
    }
    previous.current = now;
  }, [form, projectData, fields]);

  // Refused fields -> field errors, set once per message (not over the app's own on every
  // keystroke) and cleared once the API takes the field.
  const { held } = draft;
  const shownErrors = useRef(new Map<string, string>());
  useEffect(() => {
    const refused = held as Record<string, string | undefined>;
    for (const [name, message] of shownErrors.current) {
      if (refused[name] === message) continue;
      const error = form.getFieldState(name as Path<T>).error;
      if (error?.type === SERVER_ERROR && error.message === message) form.clearErrors(name as Path<T>);
      shownErrors.current.delete(name);
    }
    for (const [name, message] of Object.entries(refused)) {
      if (message === undefined || shownErrors.current.get(name) === message) continue;
      form.setError(name as Path<T>, { type: SERVER_ERROR, message });
      shownErrors.current.set(name, message);
    }
  }, [form, held]);

  return draft;
}
