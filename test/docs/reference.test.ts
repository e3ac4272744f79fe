/**
 * The reference pages keep up with the code: every option of `AuthorizationConfig` (read from
 * its declaration) is documented in docs/configuration.md, and every error class the package
 * exports in docs/errors.md. A new option or error without documentation fails here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(ROOT + file, 'utf8');

/** The property names of an interface, read from its declaration. */
function interfaceProperties(file: string, name: string): string[] {
  const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true);
  const declaration = source.statements.find(
    (statement): statement is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(statement) && statement.name.text === name,
  );
  if (!declaration) throw new Error(`${name} is not declared in ${file}`);
  return declaration.members.flatMap((member) =>
    member.name && ts.isIdentifier(member.name) ? [member.name.text] : [],
  );
}

/** Names written as code (`name`, or `name(…)` for a callback option) in a page. */
const documents = (page: string, name: string) => new RegExp(`\`${name}(\\([^\`]*\\))?\``).test(page);

describe('docs/configuration.md', () => {
  const page = read('docs/configuration.md');

  it.each(interfaceProperties('src/config.ts', 'AuthorizationConfig'))('documents `%s`', (option) => {
    expect(documents(page, option)).toBe(true);
  });

  it.each(interfaceProperties('src/profiles.ts', 'Endpoints'))('documents `endpoints.%s`', (endpoint) => {
    expect(documents(page, endpoint)).toBe(true);
  });
});

describe('docs/errors.md', () => {
  const page = read('docs/errors.md');
  const errorClasses = Object.entries(api).filter(
    ([, value]) => typeof value === 'function' && value.prototype instanceof Error,
  );

  it('finds the exported error classes', () => {
    expect(errorClasses.length).toBeGreaterThan(15);
  });

  it.each(errorClasses.map(([name]) => name))('documents %s', (name) => {
    expect(documents(page, name)).toBe(true);
  });
});
