/**
 * Every relative link in README.md and docs/ (generated pages aside) points to a file or folder
 * that exists and, with `#anchor`, to a heading of that page (GitHub's anchor rules), so moving or
 * renaming a page or a heading cannot leave a guide pointing nowhere.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { documentedFiles } from './codeSamples.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The text outside fenced blocks and inline code: links in samples are not links. */
function prose(markdown: string): string {
  return markdown
    .replace(/^([ \t]*)(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\2[^\n]*$/gm, '')
    .replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function headingAnchor(heading: string): string {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const headings = markdown
    .replace(/^([ \t]*)(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\2[^\n]*$/gm, '')
    .split('\n')
    .filter((line) => /^#{1,6}\s/.test(line));
  for (const line of headings) {
    const base = headingAnchor(line.replace(/^#{1,6}\s+/, '').trim());
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** `file: problem` for every broken relative link of `file`. */
function brokenLinks(file: string): string[] {
  const markdown = readFileSync(join(ROOT, file), 'utf8');
  const problems: string[] = [];
  for (const [, target = ''] of prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
    const [path = '', anchor] = target.split('#');
    const resolved = path === '' ? join(ROOT, file) : normalize(join(dirname(join(ROOT, file)), path));
    if (!existsSync(resolved)) {
      problems.push(`${file}: ${target} (no such file)`);
      continue;
    }
    if (anchor === undefined) continue;
    if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) {
      problems.push(`${file}: ${target} (an anchor into something that is not a page)`);
    } else if (!anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) {
      problems.push(`${file}: ${target} (no heading with that anchor)`);
    }
  }
  return problems;
}

describe('links in README.md and docs/', () => {
  it('all point to existing pages and headings', () => {
    const problems = documentedFiles(ROOT).flatMap(brokenLinks);
    expect(problems).toEqual([]);
  });

  it('anchors follow GitHub: punctuation dropped, each space a hyphen', () => {
    expect(headingAnchor('`authcharts/webex`: `Webex.init()` for the guide’s code')).toBe(
      'authchartswebex-webexinit-for-the-guides-code',
    );
    expect(headingAnchor('Transition → event')).toBe('transition--event');
    expect(headingAnchor('Session: storage, refresh, logout')).toBe('session-storage-refresh-logout');
  });
});
