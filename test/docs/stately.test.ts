import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';

const config = JSON.parse(readFileSync('stately.config.json', 'utf8')) as {
  version: number;
  defaultXStateVersion: number;
  include: string[];
  exclude: string[];
};

describe('stately.config.json', () => {
  it('uses the statelyai.json fields for xstate v5', () => {
    expect(config.version).toBe(1);
    expect(config.defaultXStateVersion).toBe(5);
    expect(Array.isArray(config.exclude)).toBe(true);
  });

  it('lists machine files that export a machine, each with a model-based suite', async () => {
    expect(config.include.length).toBeGreaterThan(0);
    for (const file of config.include) {
      expect(existsSync(file), file).toBe(true);
      const module = (await import(/* @vite-ignore */ `../../${file}`)) as Record<string, unknown>;
      const machines = Object.values(module).filter(
        (value) => typeof value === 'object' && value !== null && 'root' in value && 'provide' in value,
      );
      expect(machines.length, `${file} exports a machine`).toBeGreaterThan(0);
      expect(existsSync(`test/model/${basename(file, '.ts')}.model.test.ts`), `model suite for ${file}`).toBe(
        true,
      );
    }
  });
});
