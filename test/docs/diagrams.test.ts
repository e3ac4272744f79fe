import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { toMermaid } from '../../src/diagram.js';
// The machines are loaded below by file name; this static import is what `vitest related` sees, so a
// mutation run (stryker.config.mjs) reruns this file for a change in any machine.
import '../../machines/index.js';

/**
 * `docs/machines/<machine id>.md` for every machine the files in `stately.config.json` export.
 * `npm run diagrams` (DIAGRAMS_WRITE=1) writes them; otherwise this fails when one is stale.
 */
const DIR = 'docs/machines';
const write = process.env.DIAGRAMS_WRITE === '1';
const config = JSON.parse(readFileSync('stately.config.json', 'utf8')) as { include: string[] };

const isMachine = (value: unknown): value is AnyStateMachine =>
  typeof value === 'object' && value !== null && 'root' in value && 'provide' in value;

function render(machine: AnyStateMachine, file: string): string {
  const description = machine.root.description ? `${machine.root.description.trim()} ` : '';
  return [
    `# \`${machine.id}\` machine`,
    '',
    `${description}Generated from \`${file}\` by \`npm run diagrams\`: do not edit by hand.`,
    '',
    '```mermaid',
    toMermaid(machine).trimEnd(),
    '```',
    '',
  ].join('\n');
}

async function expected(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const file of config.include) {
    const module = (await import(/* @vite-ignore */ `../../${file}`)) as Record<string, unknown>;
    for (const machine of Object.values(module).filter(isMachine)) {
      const name = `${machine.id}.md`;
      if (files.has(name)) throw new Error(`Two machines have the id ${machine.id}`);
      files.set(name, render(machine, file));
    }
  }
  return files;
}

const read = (name: string): string | undefined => {
  try {
    return readFileSync(`${DIR}/${name}`, 'utf8');
  } catch {
    return undefined;
  }
};

describe('docs/machines', () => {
  it('has an up-to-date Mermaid diagram for every machine in stately.config.json', async () => {
    const files = await expected();
    expect(files.size).toBeGreaterThan(0);
    if (write) {
      mkdirSync(DIR, { recursive: true });
      for (const [name, text] of files) if (read(name) !== text) writeFileSync(`${DIR}/${name}`, text);
    }
    for (const [name, text] of files) {
      expect(read(name), `${DIR}/${name} is stale: run \`npm run diagrams\``).toBe(text);
    }
    const extra = readdirSync(DIR).filter((name) => name.endsWith('.md') && !files.has(name));
    expect(extra, `no machine for these diagrams: delete them and run \`npm run diagrams\``).toEqual([]);
  });
});
