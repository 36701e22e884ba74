// A person filling the wizard, as a seeded plan of keystrokes and pauses. The timing follows
// Dhakal et al., "Observations on Typing from 136 Million Keystrokes" (CHI 2018): inter-key
// intervals averaging about 240 ms; on top, a pause of 1-3 s inside some fields (thinking of
// the next words) and 2-4 s between fields.

import type { Page } from 'playwright-core';

/** What the person puts in each field, step by step: typed, picked from a date picker, or chosen. */
export const WIZARD: { step: number; fields: { name: string; value: string; how: 'type' | 'pick' | 'choose' }[] }[] = [
  {
    step: 1,
    fields: [
      { name: 'projectName', value: 'Riverside Medical Office Renovation', how: 'type' },
      {
        name: 'projectDescription',
        value: 'Renovation of a three-storey medical office: new HVAC zoning, LED lighting and an accessible entrance on the river side.',
        how: 'type',
      },
      { name: 'buildingType', value: 'healthcare', how: 'type' },
      { name: 'squareFootage', value: '42000', how: 'type' },
      { name: 'numberOfFloors', value: '3', how: 'type' },
      { name: 'numberOfZones', value: '12', how: 'type' },
    ],
  },
  {
    step: 2,
    fields: [
      { name: 'clientName', value: 'Harbor Health Partners', how: 'type' },
      { name: 'clientEmail', value: 'facilities@harborhealth.example', how: 'type' },
      { name: 'clientPhone', value: '+1 503 555 0142', how: 'type' },
      { name: 'projectLocation', value: 'Portland, Oregon', how: 'type' },
    ],
  },
  {
    step: 3,
    fields: [
      { name: 'estimatedStartDate', value: '2027-03-01', how: 'pick' },
      { name: 'estimatedEndDate', value: '2027-11-30', how: 'pick' },
      { name: 'budget', value: '2750000', how: 'type' },
      { name: 'priority', value: 'high', how: 'choose' },
    ],
  },
];

export const FIELD_COUNT = WIZARD.reduce((n, step) => n + step.fields.length, 0);

/** One thing the person does, after waiting `waitMs`. */
export type Act =
  | { kind: 'focus'; field: string; waitMs: number }
  | { kind: 'key'; field: string; text: string; waitMs: number }
  | { kind: 'set'; field: string; value: string; how: 'pick' | 'choose'; waitMs: number }
  | { kind: 'next'; waitMs: number }
  | { kind: 'create'; waitMs: number };

/** mulberry32: a small seeded generator, so that a run can be repeated. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MEAN_INTERVAL_MS = 240;

/** The whole wizard as the person with `seed` fills it. */
export function plan(seed: number): Act[] {
  const random = seeded(seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * random();
  // Log-normal intervals (sigma 0.5) with a mean of 240 ms; a standard normal by Box-Muller.
  const sigma = 0.5;
  const mu = Math.log(MEAN_INTERVAL_MS) - (sigma * sigma) / 2;
  const interval = () => Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
  const acts: Act[] = [];
  for (const { fields } of WIZARD) {
    for (const [i, field] of fields.entries()) {
      const gap = i === 0 ? between(1000, 2000) : between(2000, 4000);
      if (field.how !== 'type') {
        acts.push({ kind: 'set', field: field.name, value: field.value, how: field.how, waitMs: gap });
        continue;
      }
      acts.push({ kind: 'focus', field: field.name, waitMs: gap });
      // Longer fields get a pause at a word boundary, half the time (twice in the description).
      const spaces = [...field.value].flatMap((c, at) => (c === ' ' ? [at] : []));
      const pauses = new Set<number>();
      for (let n = 0; n < (field.value.length > 60 ? 2 : 1); n++) {
        if (field.value.length >= 12 && spaces.length && random() < 0.5) pauses.add(spaces[Math.floor(random() * spaces.length)]!);
      }
      for (const [at, text] of [...field.value].entries()) {
        const waitMs = at === 0 ? 300 : pauses.has(at) ? between(1000, 3000) : interval();
        acts.push({ kind: 'key', field: field.name, text, waitMs });
      }
    }
    acts.push({ kind: 'next', waitMs: between(1000, 2000) });
  }
  // The review step: read it, then create the project.
  acts.push({ kind: 'create', waitMs: between(3000, 6000) });
  return acts;
}

/** Does `act` in the wizard on `page` (the demo and the Next.js example name their inputs alike). */
export async function perform(page: Page, act: Act): Promise<void> {
  switch (act.kind) {
    case 'focus':
      return page.locator(`[name="${act.field}"]`).click();
    case 'key':
      return page.keyboard.type(act.text);
    case 'set':
      if (act.how === 'pick') return page.locator(`[name="${act.field}"]`).fill(act.value);
      await page.locator(`[name="${act.field}"]`).selectOption(act.value);
      return;
    case 'next':
      return page.getByRole('button', { name: 'Next', exact: true }).click();
    case 'create':
      return page.getByRole('button', { name: /^create project$/i }).click();
  }
}
