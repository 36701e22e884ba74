// The original design's 4-step "create project" wizard on useProjectSession: every field autosaves, a
// reload brings the draft back, and creating the project clears it.

import { useState, type ChangeEvent } from 'react';
import { FIELD_SPECS, hasUnsaved, stepErrors, type FieldName, type ProjectFormData } from '../src';
import { useProjectSession, type ProjectSession, type UseProjectSessionOptions } from '../src/react';
import { DraftPicker } from './DraftPicker';

const STEPS = ['Project details', 'Client', 'Schedule & budget', 'Review'] as const;

type Input = {
  name: FieldName;
  label: string;
  type?: 'text' | 'number' | 'email' | 'tel' | 'date' | 'textarea' | 'priority';
  list?: string;
};

const FIELDS: Record<number, Input[]> = {
  1: [
    { name: 'projectName', label: 'Project name' },
    { name: 'projectDescription', label: 'Description', type: 'textarea' },
    { name: 'buildingType', label: 'Building type', list: 'building-types' },
    { name: 'squareFootage', label: 'Square footage', type: 'number' },
    { name: 'numberOfFloors', label: 'Floors', type: 'number' },
    { name: 'numberOfZones', label: 'Zones', type: 'number' },
  ],
  2: [
    { name: 'clientName', label: 'Client name' },
    { name: 'clientEmail', label: 'Client e-mail', type: 'email' },
    { name: 'clientPhone', label: 'Client phone', type: 'tel' },
    { name: 'projectLocation', label: 'Location' },
  ],
  3: [
    { name: 'estimatedStartDate', label: 'Estimated start', type: 'date' },
    { name: 'estimatedEndDate', label: 'Estimated end', type: 'date' },
    { name: 'budget', label: 'Budget', type: 'number' },
    { name: 'priority', label: 'Priority', type: 'priority' },
  ],
};

const LABELS = Object.fromEntries(Object.values(FIELDS).flat().map((f) => [f.name, f.label])) as Record<FieldName, string>;

type Data = Partial<ProjectFormData>;

/** The autosave's delays, to try others: `?autosaveDelay=4000&maxAutosaveDelay=10000` (ms). */
function delaysFromUrl(): Pick<UseProjectSessionOptions, 'autosaveDelay' | 'maxAutosaveDelay'> {
  const query = new URLSearchParams(window.location.search);
  const ms = (name: string) => (query.has(name) && Number.isFinite(Number(query.get(name))) ? Number(query.get(name)) : undefined);
  return { autosaveDelay: ms('autosaveDelay'), maxAutosaveDelay: ms('maxAutosaveDelay') };
}

/** The original design's validateCurrentStep, from the package. */
function validateStep(step: number, data: Data): Record<string, string> {
  return stepErrors(step, data) as Record<string, string>;
}

export function CreateProjectPage(props: { owner?: string; getToken?: UseProjectSessionOptions['getToken'] } = {}) {
  // urlParam: with storage blocked, the draft's id goes in the URL, where a reload finds it.
  const session = useProjectSession({ autoStart: true, owner: props.owner, getToken: props.getToken, urlParam: 'draft', ...delaysFromUrl() });
  const { projectData, currentStep, completedSteps, loading } = session;
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<Data | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [continued, setContinued] = useState(false);
  // Starting over drops what is not saved yet, in this tab or another: ask first.
  const startOver = () => {
    const unsaved = (() => {
      try {
        return hasUnsaved(localStorage, props.owner ?? null);
      } catch {
        return false;
      }
    })();
    if (unsaved && !window.confirm('Some changes, in this tab or another, are not saved yet. Start over and lose them?')) return;
    setContinued(true);
    setErrors({});
    void session.discardDraft();
  };

  if (session.endedElsewhere === 'submitted') {
    return (
      <main className="wizard">
        <h1>Project created</h1>
        <p data-testid="ended-elsewhere">This project was created in another tab, and its draft is cleared.</p>
        <button onClick={() => void session.createSession()}>Start another project</button>
      </main>
    );
  }

  if (created) {
    return (
      <main className="wizard">
        <h1>Project created</h1>
        <p data-testid="created">“{created.projectName}” is created and its draft is cleared.</p>
        <button
          onClick={() => {
            setCreated(null);
            void session.createSession();
          }}
        >
          Start another project
        </button>
      </main>
    );
  }

  if (loading && !projectData) {
    return (
      <main className="wizard">
        <p className="loading">Loading project session…</p>
        <SaveStatus session={session} />
        {session.error && (
          // The draft is kept and the load retried; starting over is the person's call.
          <p className="notice">
            Your draft is kept and will show once the server answers.{' '}
            <button onClick={startOver}>Start over</button>
          </p>
        )}
      </main>
    );
  }

  const data = projectData ?? {};

  const onChange = (field: Input) => (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => {
    const { value } = event.target;
    session.setField(field.name, field.type === 'number' ? (value === '' ? null : Number(value)) : (value as never));
    if (errors[field.name]) setErrors(({ [field.name]: _, ...rest }) => rest);
  };

  const next = async () => {
    const found = validateStep(currentStep, data);
    setErrors(found);
    if (Object.keys(found).length) return;
    await session.updateSession({}, currentStep);
    session.setCurrentStep(Math.min(currentStep + 1, STEPS.length));
  };

  const createProject = async () => {
    const missing = [1, 2, 3].find((step) => Object.keys(validateStep(step, data)).length > 0);
    if (missing) {
      setErrors(validateStep(missing, data));
      session.setCurrentStep(missing);
      return;
    }
    setSubmitting(true);
    // A real app sends `data` to its projects API here; the draft is cleared once that succeeds
    // (not saved first: it is deleted next).
    const project = { ...data };
    await session.clearSession();
    setSubmitting(false);
    setCreated(project);
  };

  return (
    <main className="wizard">
      <h1>Create project</h1>
      <ol className="steps">
        {STEPS.map((title, i) => (
          <li
            key={title}
            className={[i + 1 === currentStep ? 'current' : '', completedSteps.includes(i + 1) ? 'done' : ''].join(' ')}
          >
            <button type="button" onClick={() => session.setCurrentStep(i + 1)} disabled={i + 1 === currentStep}>
              {i + 1}. {title}
            </button>
          </li>
        ))}
      </ol>
      {props.owner !== undefined && <DraftPicker session={session} />}
      <Notices session={session} />
      {session.restored && !continued && session.saveStatus === 'idle' && (
        <Restored
          session={session}
          onContinue={() => setContinued(true)}
          onStartOver={startOver}
        />
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void (currentStep === STEPS.length ? createProject() : next());
        }}
      >
        <h2>{STEPS[currentStep - 1]}</h2>
        {currentStep < STEPS.length ? (
          FIELDS[currentStep].map((field) => (
            <Field
              key={field.name}
              field={field}
              value={data[field.name]}
              error={errors[field.name]}
              held={session.held[field.name]}
              onChange={onChange(field)}
            />
          ))
        ) : (
          <Review data={data} />
        )}
        <datalist id="building-types">
          {['office', 'retail', 'healthcare', 'education', 'industrial', 'residential'].map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
        <div className="actions">
          <button type="button" onClick={() => session.setCurrentStep(currentStep - 1)} disabled={currentStep === 1}>
            Back
          </button>
          <button type="submit" disabled={submitting}>
            {currentStep === STEPS.length ? 'Create project' : 'Next'}
          </button>
        </div>
      </form>
      <SaveStatus session={session} />
    </main>
  );
}

function Field(props: {
  field: Input;
  value: string | number | undefined;
  error?: string;
  /** The server refused this value: it is kept here, not saved, until changed. */
  held?: string;
  onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => void;
}) {
  const { field, value, error, held, onChange } = props;
  const common = { id: field.name, name: field.name, value: value ?? '', onChange, 'aria-invalid': !!(error || held) };
  // Bounds and options come from openapi.yaml (src/fields.ts), like the API's checks.
  const spec = FIELD_SPECS[field.name];
  const maxLength = spec.kind === 'text' ? spec.maxLength : undefined;
  return (
    <div className="field">
      <label htmlFor={field.name}>{field.label}</label>
      {field.type === 'textarea' ? (
        <textarea {...common} maxLength={maxLength} rows={3} />
      ) : field.type === 'priority' ? (
        <select {...common}>
          <option value="">—</option>
          {(spec.kind === 'choice' ? spec.options : []).map((option) => (
            <option key={option} value={option}>
              {option[0].toUpperCase() + option.slice(1)}
            </option>
          ))}
        </select>
      ) : (
        <input
          {...common}
          type={field.type ?? 'text'}
          maxLength={maxLength}
          list={field.list}
          min={field.type === 'number' ? 0 : undefined}
        />
      )}
      {error && <span className="error">{error}</span>}
      {held && (
        <span className="error" data-testid={`held-${field.name}`}>
          Not saved: {field.label.toLowerCase()} {held}
        </span>
      )}
    </div>
  );
}

function Review({ data }: { data: Data }) {
  const all = [1, 2, 3].flatMap((step) => FIELDS[step]);
  return (
    <dl className="review">
      {all.map((field) => (
        <div key={field.name}>
          <dt>{field.label}</dt>
          <dd data-field={field.name}>{data[field.name] ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

/** "Continue your draft from 10:42 · Start over", when a draft with something in it was loaded. */
function Restored(props: { session: ProjectSession; onContinue: () => void; onStartOver: () => void }) {
  const at = props.session.lastActivity;
  const time = at ? at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : null;
  return (
    <div role="status" className="notice" data-testid="restored">
      <span>Continue your draft{time ? ` from ${time}` : ''}</span>
      {' · '}
      <button onClick={props.onContinue}>Continue</button>
      <button onClick={props.onStartOver}>Start over</button>
    </div>
  );
}

/** Every notice that applies, together: none hides another (a conflict's buttons least of all). */
function Notices({ session }: { session: ProjectSession }) {
  const aside = Object.entries(session.setAside);
  return (
    <>
      {session.conflicts.length > 0 && (
        <div role="alert" className="notice conflict" data-testid="conflict">
          <p>This draft was changed in another tab. These fields differ:</p>
          <ul>
            {session.conflicts.map(({ field, mine, theirs }) => (
              <li key={field}>
                {LABELS[field]}: yours “{mine ?? ''}”, the other tab's “{theirs ?? ''}”
              </li>
            ))}
          </ul>
          <button onClick={() => void session.resolveConflicts('mine')}>Keep mine</button>
          <button onClick={() => void session.resolveConflicts('theirs')}>Use theirs</button>
        </div>
      )}
      {session.restoredFromBrowser && (
        <div role="status" className="notice" data-testid="restored-from-browser">
          Your draft had expired on the server. What this browser kept of it is restored here and saved again as
          a new draft.
        </div>
      )}
      {session.storageFailed && (
        <div role="alert" className="notice conflict" data-testid="storage-failed">
          This browser is not keeping a copy of your changes (its storage is full or turned off). Your draft is in
          this page&apos;s address (<code>?draft=</code>): a reload finds it; keep this tab open until changes are
          saved.
        </div>
      )}
      {aside.length > 0 && (
        <div role="status" className="notice" data-testid="set-aside">
          Saved earlier, no longer part of this form (kept with the draft, not sent):
          <ul>
            {aside.map(([name, value]) => (
              <li key={name}>
                {name}: {typeof value === 'string' ? value : JSON.stringify(value)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {session.changedElsewhere && session.conflicts.length === 0 && (
        <div role="status" className="notice" data-testid="changed-elsewhere">
          This draft was also changed in another tab; its changes to other fields are merged in here.
          <button onClick={session.dismissChangedElsewhere}>OK</button>
        </div>
      )}
    </>
  );
}

const STATUS_TEXT: Record<ProjectSession['saveStatus'], string> = {
  idle: 'Draft saved',
  pending: 'Unsaved changes',
  saving: 'Saving…',
  saved: 'All changes saved',
  offline: 'Offline: changes are kept on this device and sent when you are back online',
  retrying: 'Cannot reach the server; trying again',
  signedOut: 'Signed out: sign in again to save; your changes are kept on this device',
  conflict: 'Changed in another tab',
  error: 'Not saved',
};

function SaveStatus({ session }: { session: ProjectSession }) {
  const { saveStatus, error, held } = session;
  const heldFields = Object.keys(held) as FieldName[];
  let text = STATUS_TEXT[saveStatus];
  if (saveStatus === 'error' && heldFields.length) {
    text = `Not saved: ${heldFields.map((field) => LABELS[field]).join(', ')} (see beside the field); everything else is saved`;
  } else if (saveStatus === 'error' && error) {
    text = `Not saved: ${error.message}; trying again`;
  }
  return (
    <p className={`status ${saveStatus}`} data-testid="save-status" data-status={saveStatus} aria-live="polite">
      {text}
    </p>
  );
}
