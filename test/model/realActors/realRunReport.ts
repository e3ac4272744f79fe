/**
 * What the real-actor run of a suite covered: how many paths ran to the end, how many stopped at a
 * step the real actors cannot take, and the steps skipped for each named reason. Printed at the end
 * of every `*.real.test.ts`, next to the stand-in suite's path count.
 */
import { ENDS_AT_ONCE, ENDS_AT_ONCE_REASON, type RealRun } from './replayOnRealActors.js';

export class RealRunReport {
  #paths = 0;
  #complete = 0;
  #stepsRun = 0;
  #stepsSkipped = 0;
  readonly #reasons = new Map<string, { paths: number; steps: number }>();

  readonly reasons: Readonly<Record<string, string>>;

  /** `reasons`: every reason the machine's driver may give, with its explanation. */
  constructor(readonly driverReasons: Readonly<Record<string, string>>) {
    this.reasons = { ...driverReasons, [ENDS_AT_ONCE]: ENDS_AT_ONCE_REASON };
  }

  add(run: RealRun): void {
    this.#paths += 1;
    this.#stepsRun += run.steps;
    if (!run.skipped) {
      this.#complete += 1;
      return;
    }
    if (!(run.skipped.reason in this.reasons)) {
      throw new Error(`"${run.skipped.reason}" is not one of the named reasons to skip a step`);
    }
    this.#stepsSkipped += run.skipped.steps;
    const tally = this.#reasons.get(run.skipped.reason) ?? { paths: 0, steps: 0 };
    tally.paths += 1;
    tally.steps += run.skipped.steps;
    this.#reasons.set(run.skipped.reason, tally);
  }

  /** Paths that ran to their end on the real actors. */
  get complete(): number {
    return this.#complete;
  }

  /** The driver's named reasons that no path needed: stale entries of its list. */
  unused(): string[] {
    return Object.keys(this.driverReasons).filter((reason) => !this.#reasons.has(reason));
  }

  /** `of`: how many paths the machine's model has (the run may replay a selection of them). */
  summary(name: string, of: number): string {
    const lines = [
      `${name} (real actors): ${this.#paths} of ${of} paths, ${this.#complete} ran to the end, ` +
        `${this.#paths - this.#complete} up to a step the real actors cannot take; ` +
        `${this.#stepsRun} steps run, ${this.#stepsSkipped} skipped`,
      ...[...this.#reasons].map(
        ([reason, { paths, steps }]) =>
          `  ${steps} steps of ${paths} paths skipped (${reason}): ${this.reasons[reason]}`,
      ),
    ];
    return lines.join('\n');
  }
}
