/**
 * The API reference (`npm run docs`, TypeDoc over the four entry points) builds without a single
 * warning: every public export and member has TSDoc (`notDocumented`), every type a public
 * signature mentions is exported (`notExported`), and every `{@link}` resolves. Runs TypeDoc's
 * conversion and validation only; nothing is written.
 */
import { fileURLToPath } from 'node:url';
import { Application, LogLevel } from 'typedoc';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** TypeDoc colours its messages; the report reads better without escape codes. */
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

it('documents the whole public API without warnings', { timeout: 180_000 }, async () => {
  const messages: string[] = [];
  const app = await Application.bootstrapWithPlugins({
    options: `${ROOT}typedoc.json`,
    logLevel: LogLevel.Warn,
  });
  app.logger.log = (message, level) => {
    if (level >= LogLevel.Warn) messages.push(String(message).replace(ANSI_COLOUR, ''));
  };
  const project = await app.convert();
  expect(project, messages.join('\n')).toBeDefined();
  if (project) app.validate(project);
  expect(messages).toEqual([]);
});
