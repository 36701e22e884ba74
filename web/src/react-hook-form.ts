'use client';
// The `@project-session/web/react-hook-form` entry: a react-hook-form (7.x) form whose values
// autosave through the draft. What the person types goes to the draft as they type it; a draft
// loaded or changed elsewhere fills the form, but never over what is being typed (every
// keystroke reaches the draft first, so the draft already shows it); fields the API refused
// show as the form's field errors.

import { useEffect, useRef } from 'react';
import type { FieldValues, Path, PathValue, UseFormReturn } from 'react-hook-form';
import { normalize } from './draft/fields';
import { useDraft, type Draft, type UseDraftOptions } from './useProjectSession';

/** The error type this adapter sets (and clears) for a field the API refused. */
export const SERVER_ERROR = 'server';

/**
 * Autosaves `form` through a draft. Register number inputs with `valueAsNumber: true`, so that
 * they reach the API as numbers; an emptied field is removed from the draft.
 */
export function useDraftForm<T extends FieldValues>(form: UseFormReturn<T>, options: UseDraftOptions<T> = {}): Draft<T> {
  const draft = useDraft<T>(options);
  const { setField } = draft;

  // Form -> draft: only the person's changes ('change'), not the values filled in below.
  useEffect(() => {
    const subscription = form.watch((values, { name, type }) => {
      if (type !== 'change' || name === undefined) return;
      const value = (values as Record<string, unknown>)[name];
      setField(name as keyof T & string, normalize(value) as T[keyof T & string] | null);
    });
    return () => subscription.unsubscribe();
  }, [form, setField]);

  // Draft -> form: a loaded draft, another tab's save, a resolved conflict.
  const { projectData } = draft;
  useEffect(() => {
    if (projectData === null) return;
    const names = new Set([...Object.keys(projectData), ...Object.keys(form.getValues())]);
    for (const name of names) {
      const shown = normalize((projectData as Record<string, unknown>)[name]);
      if (normalize(form.getValues(name as Path<T>)) === shown) continue;
      form.setValue(name as Path<T>, (shown ?? '') as PathValue<T, Path<T>>, { shouldDirty: false, shouldValidate: false });
    }
  }, [form, projectData]);

  // Refused fields -> field errors; cleared once the API takes the field.
  const { held } = draft;
  const shownErrors = useRef(new Set<string>());
  useEffect(() => {
    const refused = held as Record<string, string | undefined>;
    for (const name of shownErrors.current) {
      if (refused[name] !== undefined) continue;
      if (form.getFieldState(name as Path<T>).error?.type === SERVER_ERROR) form.clearErrors(name as Path<T>);
      shownErrors.current.delete(name);
    }
    for (const [name, message] of Object.entries(refused)) {
      if (message === undefined) continue;
      form.setError(name as Path<T>, { type: SERVER_ERROR, message });
      shownErrors.current.add(name);
    }
  }, [form, held]);

  return draft;
}
