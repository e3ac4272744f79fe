/**
 * Runs a start → cancel scenario many times and reports what is left: live timers, open
 * BroadcastChannels, window listeners, requests in flight, and heap growth after full GCs
 * (SPEC §8 target: 0 timers, 0 listeners, < 1 MB). The heap baseline is taken after a warm-up,
 * so JIT code and first-use caches do not count as growth; the heap is also read between blocks
 * of cycles, because one reading moves by a few hundred KB either way while a leak grows with
 * every block. Needs `node --expose-gc`.
 */

import { median } from '../stats.js';
import { nextTurn } from '../waitUntil.js';
import type { CycleScenario } from './cycles.js';
import { installProbes } from './probes.js';

export interface LeakResult {
  name: string;
  cycles: number;
  liveTimers: number;
  openChannels: number;
  listeners: number;
  inFlight: number;
  /** Heap after the last cycle minus heap after the warm-up, both after full GCs. */
  heapGrowthBytes: number;
  /** Median over the blocks of cycles of the heap change per cycle: a leak keeps it positive. */
  heapBytesPerCycle: number;
  /** The whole run divided by its cycles. */
  msPerCycle: number;
}

/** The cycles run in this many blocks, with the heap read (after GC) between them. */
const BLOCKS = 5;

async function settledHeap(): Promise<number> {
  const gc = globalThis.gc;
  if (!gc) throw new Error('The leak bench needs node --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await nextTurn();
  }
  return process.memoryUsage().heapUsed;
}

export async function measureLeaks(
  scenario: CycleScenario,
  cycles: number,
  warmupCycles: number,
): Promise<LeakResult> {
  const probes = installProbes();
  try {
    for (let i = 0; i < warmupCycles; i++) await scenario.cycle();
    const heap = [await settledHeap()];
    const perBlock: number[] = [];
    let elapsed = 0;
    for (let block = 0; block < BLOCKS; block++) {
      const size = Math.round((cycles * (block + 1)) / BLOCKS) - Math.round((cycles * block) / BLOCKS);
      const startedAt = performance.now();
      for (let i = 0; i < size; i++) await scenario.cycle();
      elapsed += performance.now() - startedAt;
      // Aborted requests and cleanups settle on the next turns.
      for (let i = 0; i < 5; i++) await nextTurn();
      heap.push(await settledHeap());
      perBlock.push(((heap[block + 1] as number) - (heap[block] as number)) / size);
    }
    return {
      name: scenario.name,
      cycles,
      liveTimers: probes.liveTimers(),
      openChannels: probes.openChannels(),
      listeners: scenario.listeners(),
      inFlight: scenario.inFlight(),
      heapGrowthBytes: (heap.at(-1) as number) - (heap[0] as number),
      heapBytesPerCycle: median(perBlock),
      msPerCycle: elapsed / cycles,
    };
  } finally {
    probes.restore();
  }
}
