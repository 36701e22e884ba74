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
const PROPERTIES = '    ProjectData:\n';
/** openapi.yaml with one more line under ProjectData's properties, whatever fields it has. */
function withProperty(line: string): string {
  const at = openapi.indexOf('      properties:\n', openapi.indexOf(PROPERTIES)) + '      properties:\n'.length;
  return `${openapi.slice(0, at)}        ${line}\n${openapi.slice(at)}`;
}
const schema = parse(openapi).components.schemas.ProjectData.properties as Record<string, { type?: string; maxLength?: number }>;
const [textField, textSpec] = Object.entries(schema).find(([, spec]) => spec.type === 'string')!;

describe('one definition of the fields', () => {
  it('every generated copy matches openapi.yaml as committed', () => {
    expect(drifted()).toEqual([]);
  });

  it('the TypeScript field list is the schema’s, in its order', () => {
    expect(FIELD_NAMES).toEqual(Object.keys(schema));
    expect(FIELD_SPECS[textField as keyof typeof FIELD_SPECS]).toEqual({ kind: 'text', maxLength: textSpec.maxLength });
  });

  it('a field added to ProjectData reaches the Rust table, the TypeScript types and the patch schema', () => {
    const files: Map<string, string> = generate(withProperty('exampleAddedField: { $ref: "#/components/schemas/Amount" }'));
    const rust = files.get('shared/src/domain/fields.rs')!;
    expect(rust).toContain('    ExampleAddedField,\n');
    expect(rust).toContain('Field::ExampleAddedField => "exampleAddedField",');
    expect(rust).toContain('Field::ExampleAddedField => Kind::Number,');
    expect(rust).toContain(`pub const ALL: [Field; ${FIELD_NAMES.length + 1}]`);
    const ts = files.get('web/src/fields.ts')!;
    expect(ts).toContain('  exampleAddedField: number;\n');
    expect(ts).toContain("  'exampleAddedField',\n");
    expect(files.get(SOURCE)).toContain('        exampleAddedField: { anyOf: [{ $ref: "#/components/schemas/Amount" }, { type: "null" }] }\n');
    // A change of fields is a new schema version, stored with every write.
    expect(rust).not.toContain(generate(openapi).get('shared/src/domain/fields.rs')!.match(/SCHEMA_VERSION: &str = "(\w+)"/)![1]);
  });

  it('a renamed field keeps its old name readable and writable through x-aliases', () => {
    const renamed = withProperty(`renamedField: { type: string, maxLength: 50, x-aliases: [oldFieldName] }`);
    const files: Map<string, string> = generate(renamed);
    expect(files.get('shared/src/domain/fields.rs')).toContain('Field::RenamedField => &["oldFieldName"],');
    expect(files.get('web/src/fields.ts')).toContain("  oldFieldName: 'renamedField',");
    // Clients deployed before the rename still send the old name.
    expect(files.get(SOURCE)).toContain('        oldFieldName: { type: [string, "null"], maxLength: 50 }\n');
  });

  it('a property the code cannot hold is refused, naming the field', () => {
    expect(() => generate(withProperty('tags: { type: array }'))).toThrow(/ProjectData\.tags/);
    expect(() => generate(withProperty('Budget2: { $ref: "#/components/schemas/Amount" }'))).toThrow(/camelCase/);
    expect(() => generate(withProperty(`other: { type: string, maxLength: 5, x-aliases: [${textField}] }`))).toThrow(
      new RegExp(`"${textField}" is used twice`),
    );
  });
});
