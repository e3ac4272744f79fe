/**
 * Writes the results part of docs/mutation.md from Stryker's JSON reports (`npm run
 * mutation:report`). Every number and every surviving mutant listed there comes from the reports
 * named on the command line (default: every `reports/mutation/*.json`), so the document can only
 * say what the runs measured. The prose around the markers is written by hand.
 *
 * Score as Stryker computes it: (killed + timed out) / (killed + timed out + survived + no
 * coverage); ignored mutants and mutants that did not compile are left out.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

type Status =
  | 'Killed'
  | 'Survived'
  | 'NoCoverage'
  | 'Timeout'
  | 'CompileError'
  | 'RuntimeError'
  | 'Ignored'
  | 'Pending';

interface Position {
  line: number;
  column: number;
}

interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: Status;
  static?: boolean;
  location: { start: Position; end: Position };
}

interface MutationReport {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}

interface Tally {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  errors: number;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC = join(ROOT, 'docs/mutation.md');
const START = '<!-- mutation:results:start -->';
const END = '<!-- mutation:results:end -->';

const emptyTally = (): Tally => ({
  killed: 0,
  timeout: 0,
  survived: 0,
  noCoverage: 0,
  ignored: 0,
  errors: 0,
});

function count(tally: Tally, status: Status): void {
  if (status === 'Killed') tally.killed++;
  else if (status === 'Timeout') tally.timeout++;
  else if (status === 'Survived') tally.survived++;
  else if (status === 'NoCoverage') tally.noCoverage++;
  else if (status === 'Ignored') tally.ignored++;
  else tally.errors++;
}

const detected = (t: Tally) => t.killed + t.timeout;
const scored = (t: Tally) => detected(t) + t.survived + t.noCoverage;
const score = (t: Tally) => (scored(t) === 0 ? 100 : (100 * detected(t)) / scored(t));
const percent = (value: number) => `${value.toFixed(1)} %`;

/** The source text a mutant replaces, on one line and shortened. */
function original(source: string, { start, end }: Mutant['location']): string {
  const lines = source.split('\n').slice(start.line - 1, end.line);
  const text =
    lines.length === 1
      ? (lines[0] ?? '').slice(start.column - 1, end.column - 1)
      : [
          (lines[0] ?? '').slice(start.column - 1),
          ...lines.slice(1, -1),
          (lines.at(-1) ?? '').slice(0, end.column - 1),
        ].join(' ');
  return shorten(text);
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 70 ? `${flat.slice(0, 67)}…` : flat;
}

const code = (text: string) => `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|')}\``;

function tallyRow(name: string, t: Tally): string {
  return `| ${name} | ${percent(score(t))} | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | ${t.ignored + t.errors} |`;
}

function renderResults(reports: { name: string; report: MutationReport; date: Date }[]): string {
  const all = emptyTally();
  const byFolder = new Map<string, Tally>();
  const byFile = new Map<string, Tally>();
  const byMutator = new Map<string, Tally>();
  const survivors: { path: string; line: number; row: string }[] = [];
  for (const { report } of reports) {
    for (const [path, file] of Object.entries(report.files)) {
      const folder = path.split('/')[0] ?? path;
      for (const mutant of file.mutants) {
        for (const tally of [
          all,
          byFolder.get(folder) ?? byFolder.set(folder, emptyTally()).get(folder),
          byFile.get(path) ?? byFile.set(path, emptyTally()).get(path),
          byMutator.get(mutant.mutatorName) ??
            byMutator.set(mutant.mutatorName, emptyTally()).get(mutant.mutatorName),
        ]) {
          if (tally) count(tally, mutant.status);
        }
        if (mutant.status === 'Survived' || mutant.status === 'NoCoverage') {
          const where = `${path}:${mutant.location.start.line}`;
          const status = mutant.status === 'NoCoverage' ? ' (no coverage)' : '';
          survivors.push({
            path,
            line: mutant.location.start.line,
            row: `| ${where} | ${mutant.mutatorName}${status} | ${code(original(file.source, mutant.location))} | ${code(shorten(mutant.replacement ?? ''))} |`,
          });
        }
      }
    }
  }
  const header =
    '| | score | killed | timed out | survived | no coverage | ignored or errors |\n|---|---|---|---|---|---|---|';
  const sorted = <T>(map: Map<string, T>) => [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
  const dates = reports.map(({ name, date }) => `${name} ${date.toISOString().slice(0, 10)}`).join(', ');
  return [
    `Written by \`npm run mutation:report\` from ${reports.length} Stryker report(s) (${dates}), Node ${process.version}.`,
    '',
    `**Mutation score: ${percent(score(all))}** over ${scored(all)} scored mutants (${all.ignored + all.errors} ignored or not compiling).`,
    '',
    header,
    tallyRow('**all**', all),
    ...sorted(byFolder).map(([folder, t]) => tallyRow(`${folder}/`, t)),
    '',
    '### By file',
    '',
    header,
    ...sorted(byFile).map(([path, t]) => tallyRow(path, t)),
    '',
    '### By mutator',
    '',
    header,
    ...sorted(byMutator).map(([name, t]) => tallyRow(name, t)),
    '',
    `### Surviving mutants (${survivors.length})`,
    '',
    '<details><summary>Every mutant no test detected</summary>',
    '',
    '| where | mutator | original | replacement |',
    '|---|---|---|---|',
    ...survivors.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line).map(({ row }) => row),
    '',
    '</details>',
  ].join('\n');
}

function defaultReports(): string[] {
  const folder = join(ROOT, 'reports/mutation');
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .map((name) => join(folder, name));
}

function main(): void {
  const paths = process.argv.length > 2 ? process.argv.slice(2) : defaultReports();
  if (paths.length === 0) throw new Error('No Stryker report: run `npm run mutation` first.');
  // Oldest first, so a source file mutated in several runs counts once, from the newest run.
  const reports = paths
    .map((path) => ({
      name: relative(ROOT, path),
      report: JSON.parse(readFileSync(path, 'utf8')) as MutationReport,
      date: statSync(path).mtime,
    }))
    .sort((a, b) => a.date.getTime() - b.date.getTime());
  const newestRunOf = new Map<string, MutationReport>();
  for (const { report } of reports)
    for (const path of Object.keys(report.files)) newestRunOf.set(path, report);
  for (const { report } of reports) {
    for (const path of Object.keys(report.files))
      if (newestRunOf.get(path) !== report) delete report.files[path];
  }
  const doc = readFileSync(DOC, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/mutation.md lacks the ${START} … ${END} markers`);
  const results = renderResults(reports);
  writeFileSync(DOC, `${doc.slice(0, start + START.length)}\n${results}\n${doc.slice(end)}`);
  console.log(results.split('\n').slice(0, 12).join('\n'));
}

main();
