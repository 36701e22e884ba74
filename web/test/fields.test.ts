// The form's fields are defined once, in openapi.yaml's ProjectData (web/scripts/fields.mjs):
// every copy is generated from it, and these tests fail when a copy drifts.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error: a plain .mjs script without types
import { drifted, generate, ROOT, SOURCE } from '../scripts/fields.mjs';
import { FIELD_NAMES, FIELD_SPECS } from '../src';

const openapi = readFileSync(join(ROOT, SOURCE), 'utf8');
const withProperty = (line: string) =>
  openapi.replace('        priority: { enum: [low, medium, high] }\n', `        priority: { enum: [low, medium, high] }\n        ${line}\n`);

describe('one definition of the fields', () => {
  it('every generated copy matches openapi.yaml as committed', () => {
    expect(drifted()).toEqual([]);
  });

  it('the TypeScript field list is the schema’s, in its order', () => {
    const properties = Object.keys(parse(openapi).components.schemas.ProjectData.properties);
    expect(FIELD_NAMES).toEqual(properties);
    expect(FIELD_SPECS.projectName).toEqual({ kind: 'text', maxLength: 200 });
  });

  it('a field added to ProjectData reaches the Rust table, the TypeScript types and the patch schema', () => {
    const files: Map<string, string> = generate(withProperty('siteArea: { $ref: "#/components/schemas/Amount" }'));
    const rust = files.get('shared/src/domain/fields.rs')!;
    expect(rust).toContain('    SiteArea,\n');
    expect(rust).toContain('Field::SiteArea => "siteArea",');
    expect(rust).toContain('Field::SiteArea => Kind::Number,');
    expect(rust).toContain('pub const ALL: [Field; 15]');
    const ts = files.get('web/src/fields.ts')!;
    expect(ts).toContain('  siteArea: number;\n');
    expect(ts).toContain("  'siteArea',\n");
    expect(files.get(SOURCE)).toContain('        siteArea: { anyOf: [{ $ref: "#/components/schemas/Amount" }, { type: "null" }] }\n');
    // A change of fields is a new schema version, stored with every write.
    expect(rust).not.toContain(generate(openapi).get('shared/src/domain/fields.rs')!.match(/SCHEMA_VERSION: &str = "(\w+)"/)![1]);
  });

  it('a renamed field keeps its old name readable and writable through x-aliases', () => {
    const renamed = openapi.replace(
      '        clientPhone: { type: string, maxLength: 50 }\n',
      '        clientTelephone: { type: string, maxLength: 50, x-aliases: [clientPhone] }\n',
    );
    const files: Map<string, string> = generate(renamed);
    expect(files.get('shared/src/domain/fields.rs')).toContain('Field::ClientTelephone => &["clientPhone"],');
    expect(files.get('web/src/fields.ts')).toContain("  clientPhone: 'clientTelephone',");
    // Clients deployed before the rename still send the old name.
    expect(files.get(SOURCE)).toContain('        clientPhone: { type: [string, "null"], maxLength: 50 }\n');
  });

  it('a property the code cannot hold is refused, naming the field', () => {
    expect(() => generate(withProperty('tags: { type: array }'))).toThrow(/ProjectData\.tags/);
    expect(() => generate(withProperty('Budget2: { $ref: "#/components/schemas/Amount" }'))).toThrow(/camelCase/);
    expect(() => generate(withProperty('phone: { type: string, maxLength: 5, x-aliases: [budget] }'))).toThrow(/"budget" is used twice/);
  });
});
