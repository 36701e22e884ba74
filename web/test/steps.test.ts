// The original design's step rules, which the demo and the Next.js example both take from here.

import { describe, expect, it } from 'vitest';
import { stepErrors } from '../src';

describe('stepErrors', () => {
  it('asks for a project name and a building type before step 1 is left', () => {
    expect(stepErrors(1, {})).toEqual({ projectName: 'Project name is required', buildingType: 'Building type is required' });
    expect(stepErrors(1, { projectName: '  ', buildingType: 'office' })).toEqual({ projectName: 'Project name is required' });
    expect(stepErrors(1, { projectName: 'Riverside', buildingType: 'office' })).toEqual({});
  });

  it('asks for a client and a well-formed e-mail, when one is given, at step 2', () => {
    expect(stepErrors(2, { clientName: 'Ada', clientEmail: 'ada@' })).toEqual({ clientEmail: 'Enter a valid e-mail address' });
    expect(stepErrors(2, { clientName: 'Ada' })).toEqual({});
    expect(stepErrors(2, {})).toEqual({ clientName: 'Client name is required' });
  });

  it('refuses an end before the start at step 3, and nothing at step 4', () => {
    expect(stepErrors(3, { estimatedStartDate: '2027-03-01', estimatedEndDate: '2027-02-01' })).toEqual({ estimatedEndDate: 'The end is before the start' });
    expect(stepErrors(3, { estimatedStartDate: '2027-03-01' })).toEqual({});
    expect(stepErrors(4, {})).toEqual({});
  });
});
