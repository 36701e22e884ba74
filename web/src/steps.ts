// The original design's step rules (its `validateCurrentStep`): what each step of the wizard
// needs before "Next". Written once here; the demo and the Next.js example both use them.

import type { ProjectFormData } from './client';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What is wrong with `step`'s fields in `data`, by field; nothing: the person may move on. */
export function stepErrors(step: number, data: Partial<ProjectFormData>): Partial<Record<keyof ProjectFormData, string>> {
  const errors: Partial<Record<keyof ProjectFormData, string>> = {};
  if (step === 1) {
    if (!data.projectName?.trim()) errors.projectName = 'Project name is required';
    if (!data.buildingType?.trim()) errors.buildingType = 'Building type is required';
  }
  if (step === 2) {
    if (!data.clientName?.trim()) errors.clientName = 'Client name is required';
    if (data.clientEmail && !EMAIL.test(data.clientEmail)) errors.clientEmail = 'Enter a valid e-mail address';
  }
  if (step === 3) {
    if (data.estimatedStartDate && data.estimatedEndDate && data.estimatedEndDate < data.estimatedStartDate) {
      errors.estimatedEndDate = 'The end is before the start';
    }
  }
  return errors;
}
