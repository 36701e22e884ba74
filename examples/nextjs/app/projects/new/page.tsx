"use client";

// The original design's page: `frontend/app/projects/new/page.tsx` of its guide ("Step 3: Update
// Project Creation Page"), kept line for line where it works, on useProjectSession from
// @project-session/web. The seed left out what a page needs to run, so every line that is not the
// seed's is marked: `// added:` starts a block of new lines and `// end added` closes it (in JSX,
// `{/* added: */}`), and `// changed:` is a seed line altered. What the seed left out or got wrong:
// - `setCurrentStep` is called but never taken from the hook (this hook returns it);
// - `validateCurrentStep` is called but never defined;
// - `ProjectFormData` is used but never imported;
// - the render after the loading state ("Rest of the component remains the same...") and the step
//   components, of which it shows only ProjectDetailsStep's `handleInputChange` (its "Step 4: Add
//   Auto-Save to Form Components"), kept here minus its timer: the hook saves what is typed after
//   a pause in typing itself, and the timer's `handleStepComplete` would have marked the step completed
//   on every keystroke;
// - the default export a Next.js page must have.

import React, { useState, useEffect } from 'react';
import { useRouter } from 'next/navigation';
import Link from 'next/link';
import { useProjectSession } from '@project-session/web/react'; // changed: was '@/hooks/useProjectSession'
// added: the seed used ProjectFormData unimported and never defined validateCurrentStep (the package's
// stepErrors holds its rules); ProjectSession is the hook's result, for the save status
import { stepErrors, type ProjectFormData } from '@project-session/web';
import type { ProjectSession } from '@project-session/web/react';
// end added

const CreateProjectPage: React.FC = () => {
  const router = useRouter();
  const [isSubmitting, setIsSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [validationErrors, setValidationErrors] = useState<Record<string, string>>({});

  // added: the whole hook too, for the save status and the conflict notice
  const session = useProjectSession();
  // end added
  const {
    sessionId,
    projectData,
    currentStep,
    completedSteps,
    loading,
    createSession,
    updateSession,
    loadSession,
    clearSession,
    // added: what the seed's page calls but its hook never returned, and what the render needs
    setCurrentStep,
    setProjectData,
    completeStep,
    held,
    // end added
  } = session; // changed: was `} = useProjectSession();`

  // Initialize session on page load
  useEffect(() => {
    const savedSessionId = localStorage.getItem('projectSessionId');
    if (savedSessionId) {
      loadSession(savedSessionId);
    } else {
      createSession();
    }
  }, []);

  // added: the seed's last check wants all 4 steps completed; the review step is completed by reaching it
  useEffect(() => {
    if (currentStep === 4 && !completedSteps.includes(4)) completeStep(4);
  }, [currentStep, completedSteps, completeStep]);
  // end added

  // Auto-save on step completion
  const handleStepComplete = async (stepData: Partial<ProjectFormData>) => {
    try {
      await updateSession(stepData, currentStep);
    } catch (error) {
      console.error('Auto-save failed:', error);
      // Don't show error to user for auto-save failures
    }
  };

  // added: the seed calls validateCurrentStep() but never defines it: what each step needs before "Next",
  // the package's rules
  const validateCurrentStep = (): Record<string, string> => stepErrors(currentStep, projectData ?? {}) as Record<string, string>;
  // end added

  // From the seed's ProjectDetailsStep ("Step 4"), moved here where setProjectData is, for every step
  const handleInputChange = (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => {
    const { name, value } = e.target;
    const newValue = e.target.type === 'number' ? (value === '' ? undefined : Number(value)) : value; // changed: was `Number(value)`, which turns an emptied number into 0

    setProjectData(prev => ({
      ...prev,
      [name]: newValue
    }));

    // added: a corrected field loses its error (in place of the seed's autosave timer: see the top)
    if (validationErrors[name]) setValidationErrors(({ [name]: _, ...rest }) => rest);
    // end added
  };

  const handleNext = async () => {
    // Validate current step
    const errors = validateCurrentStep();
    if (Object.keys(errors).length > 0) {
      setValidationErrors(errors);
      return;
    }
    setValidationErrors({}); // added: the seed never cleared them

    // Auto-save current step
    await handleStepComplete(projectData || {});

    // Move to next step
    if (currentStep < 4) {
      setCurrentStep(currentStep + 1);
    }
  };

  const handleBack = () => {
    if (currentStep > 1) {
      setCurrentStep(currentStep - 1);
    }
  };

  const handleFinalSubmit = async () => {
    setIsSubmitting(true);
    setError(null);
    
    try {
      // Validate all steps are complete
      if (completedSteps.length < 4) {
        throw new Error('Please complete all steps before creating the project');
      }

      // Save to permanent database
      const response = await fetch('/api/projects', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(projectData),
      });

      if (!response.ok) {
        const errorData = await response.json();
        throw new Error(errorData.error || 'Failed to create project');
      }

      const result = await response.json();
      
      // Clear session after successful creation
      await clearSession();
      
      // Redirect to project detail page
      router.push(`/projects/${result.project.id}`);
    } catch (err: any) {
      setError(err.message || 'Failed to create project');
    } finally {
      setIsSubmitting(false);
    }
  };

  // Show loading state
  if (!projectData) { // changed: was `loading && !projectData`: the hook has no projectData before the page's effect starts a load (as on the server) nor while a failed one is retried, and the form would show empty
    return (
      <div className="min-h-screen bg-gray-50 flex items-center justify-center">
        <div className="text-center">
          <div className="animate-spin rounded-full h-12 w-12 border-b-2 border-blue-600 mx-auto"></div>
          <p className="mt-4 text-gray-600">Loading project session...</p>
          {/* added: why it takes long, when a request failed (the hook keeps trying) */}
          {session.error && <SaveStatus session={session} />}
          {/* end added */}
        </div>
      </div>
    );
  }

  // Rest of the component remains the same...
  // added: the rest, which the seed left out: the steps, the step components, the buttons, the save status
  const fieldProps = { data: projectData, errors: { ...held, ...validationErrors }, onChange: handleInputChange };
  return (
    <div className="min-h-screen bg-gray-50 py-8">
      <div className="wizard">
        <h1>Create New Project</h1>
        <ol className="steps">
          {STEPS.map((title, i) => (
            <li key={title} className={[i + 1 === currentStep ? 'current' : '', completedSteps.includes(i + 1) ? 'done' : ''].join(' ')}>
              {i + 1}. {title}
            </li>
          ))}
        </ol>
        {error && <div role="alert" className="error">{error}</div>}
        {session.conflicts.length > 0 && <Conflicts session={session} />}
        <h2>{STEPS[currentStep - 1]}</h2>
        {currentStep === 1 && <ProjectDetailsStep {...fieldProps} />}
        {currentStep === 2 && <ClientInfoStep {...fieldProps} />}
        {currentStep === 3 && <ScheduleBudgetStep {...fieldProps} />}
        {currentStep === 4 && <ReviewStep data={projectData} />}
        <div className="actions">
          <Link href="/">Leave (the draft is kept)</Link>
          <button type="button" onClick={handleBack} disabled={currentStep === 1}>
            Back
          </button>
          {currentStep < 4 ? (
            <button type="button" onClick={handleNext}>
              Next
            </button>
          ) : (
            <button type="button" onClick={handleFinalSubmit} disabled={isSubmitting}>
              {isSubmitting ? 'Creating...' : 'Create Project'}
            </button>
          )}
        </div>
        <SaveStatus session={session} />
      </div>
    </div>
  );
  // end added
};

export default CreateProjectPage; // added: a Next.js page is its default export

// added: the step components the seed names but leaves out, on the original design's ProjectFormData
const STEPS = ['Project details', 'Client', 'Schedule & budget', 'Review'];

type Data = Partial<ProjectFormData>;
type Change = (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => void;
type StepProps = { data: Data; errors: Record<string, string | undefined>; onChange: Change };

function ProjectDetailsStep({ data, errors, onChange }: StepProps) {
  return (
    <>
      <Field label="Project name" error={errors.projectName}>
        <input name="projectName" value={data.projectName ?? ''} onChange={onChange} maxLength={200} />
      </Field>
      <Field label="Description" error={errors.projectDescription}>
        <textarea name="projectDescription" value={data.projectDescription ?? ''} onChange={onChange} maxLength={5000} rows={3} />
      </Field>
      <Field label="Building type" error={errors.buildingType}>
        <input name="buildingType" value={data.buildingType ?? ''} onChange={onChange} maxLength={200} list="building-types" />
      </Field>
      <datalist id="building-types">
        {['office', 'retail', 'healthcare', 'education', 'industrial', 'residential'].map((type) => (
          <option key={type} value={type} />
        ))}
      </datalist>
      <Field label="Square footage" error={errors.squareFootage}>
        <input name="squareFootage" type="number" min={0} value={data.squareFootage ?? ''} onChange={onChange} />
      </Field>
      <Field label="Floors" error={errors.numberOfFloors}>
        <input name="numberOfFloors" type="number" min={0} step={1} value={data.numberOfFloors ?? ''} onChange={onChange} />
      </Field>
      <Field label="Zones" error={errors.numberOfZones}>
        <input name="numberOfZones" type="number" min={0} step={1} value={data.numberOfZones ?? ''} onChange={onChange} />
      </Field>
    </>
  );
}

function ClientInfoStep({ data, errors, onChange }: StepProps) {
  return (
    <>
      <Field label="Client name" error={errors.clientName}>
        <input name="clientName" value={data.clientName ?? ''} onChange={onChange} maxLength={200} />
      </Field>
      <Field label="Client e-mail" error={errors.clientEmail}>
        <input name="clientEmail" type="email" value={data.clientEmail ?? ''} onChange={onChange} maxLength={254} />
      </Field>
      <Field label="Client phone" error={errors.clientPhone}>
        <input name="clientPhone" type="tel" value={data.clientPhone ?? ''} onChange={onChange} maxLength={50} />
      </Field>
      <Field label="Location" error={errors.projectLocation}>
        <input name="projectLocation" value={data.projectLocation ?? ''} onChange={onChange} maxLength={500} />
      </Field>
    </>
  );
}

function ScheduleBudgetStep({ data, errors, onChange }: StepProps) {
  return (
    <>
      <Field label="Estimated start" error={errors.estimatedStartDate}>
        <input name="estimatedStartDate" type="date" value={data.estimatedStartDate ?? ''} onChange={onChange} />
      </Field>
      <Field label="Estimated end" error={errors.estimatedEndDate}>
        <input name="estimatedEndDate" type="date" value={data.estimatedEndDate ?? ''} onChange={onChange} />
      </Field>
      <Field label="Budget" error={errors.budget}>
        <input name="budget" type="number" min={0} value={data.budget ?? ''} onChange={onChange} />
      </Field>
      <Field label="Priority" error={errors.priority}>
        <select name="priority" value={data.priority ?? ''} onChange={onChange}>
          <option value="">—</option>
          <option value="low">Low</option>
          <option value="medium">Medium</option>
          <option value="high">High</option>
        </select>
      </Field>
    </>
  );
}

function ReviewStep({ data }: { data: Data }) {
  const rows: [string, unknown][] = [
    ['Project name', data.projectName],
    ['Description', data.projectDescription],
    ['Building type', data.buildingType],
    ['Square footage', data.squareFootage],
    ['Floors', data.numberOfFloors],
    ['Zones', data.numberOfZones],
    ['Client name', data.clientName],
    ['Client e-mail', data.clientEmail],
    ['Client phone', data.clientPhone],
    ['Location', data.projectLocation],
    ['Estimated start', data.estimatedStartDate],
    ['Estimated end', data.estimatedEndDate],
    ['Budget', data.budget],
    ['Priority', data.priority],
  ];
  return (
    <dl className="review">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value === undefined || value === '' ? '—' : String(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A label around its input, with a validation error or the server's refusal of the value beside it. */
function Field({ label, error, children }: { label: string; error?: string; children: React.ReactNode }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
      {error && <span className="error">{error}</span>}
    </label>
  );
}

const STATUS_TEXT: Record<ProjectSession['saveStatus'], string> = {
  idle: 'Draft saved',
  pending: 'Unsaved changes',
  saving: 'Saving...',
  saved: 'All changes saved',
  offline: 'Offline: changes are kept on this device and sent when you are back online',
  retrying: 'Cannot reach the server; trying again',
  signedOut: 'Signed out: sign in again to save; your changes are kept on this device',
  conflict: 'Changed in another tab',
  error: 'Not saved',
};

/** What the hook says of the draft: `data-status` is its `saveStatus`, for tests. */
function SaveStatus({ session }: { session: ProjectSession }) {
  const { saveStatus, error } = session;
  const text = saveStatus === 'error' && error ? `Not saved: ${error.message}` : STATUS_TEXT[saveStatus];
  return (
    <p className={`status ${saveStatus}`} data-testid="save-status" data-status={saveStatus} aria-live="polite">
      {text}
    </p>
  );
}

/** The same fields changed in another tab: the person chooses which values to keep. */
function Conflicts({ session }: { session: ProjectSession }) {
  return (
    <div role="alert" className="notice" data-testid="conflict">
      <p>This draft was changed in another tab. These fields differ:</p>
      <ul>
        {session.conflicts.map(({ field, mine, theirs }) => (
          <li key={field}>
            {field}: yours “{mine ?? ''}”, the other tab's “{theirs ?? ''}”
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => void session.resolveConflicts('mine')}>Keep mine</button>
      <button type="button" onClick={() => void session.resolveConflicts('theirs')}>Use theirs</button>
    </div>
  );
}
// end added
