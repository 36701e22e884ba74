'use client';

// The wizard's first step on react-hook-form instead of the seed's own state: the form owns its
// values and `useDraftForm` (from @project-session/web/react-hook-form) autosaves what is typed,
// fills the form from the draft after a reload without overwriting what is being typed, and shows
// fields the API refused as the form's field errors.

import { useForm } from 'react-hook-form';
import type { ProjectFormData } from '@project-session/web';
import { useDraftForm } from '@project-session/web/react-hook-form';

export default function NewProjectWithForm() {
  const form = useForm<ProjectFormData>();
  const draft = useDraftForm(form, { autoStart: true });
  const { errors } = form.formState;

  return (
    <main className="wizard">
      <h1>Create project</h1>
      {draft.projectData === null ? (
        <p>Loading project session...</p>
      ) : (
        <form onSubmit={form.handleSubmit(() => void draft.saveNow())}>
          <h2>Project details</h2>
          <label>
            Project name
            <input {...form.register('projectName', { required: 'Project name is required' })} />
          </label>
          {errors.projectName && <p className="error">{errors.projectName.message}</p>}
          <label>
            Building type
            <input {...form.register('buildingType')} />
          </label>
          {errors.buildingType && <p className="error">{errors.buildingType.message}</p>}
          <label>
            Square footage
            <input type="number" {...form.register('squareFootage', { valueAsNumber: true })} />
          </label>
          {errors.squareFootage && <p className="error">{errors.squareFootage.message}</p>}
          <button type="submit">Save now</button>
        </form>
      )}
      <p data-testid="save-status" data-status={draft.saveStatus} aria-live="polite">
        {draft.saveStatus}
      </p>
    </main>
  );
}
