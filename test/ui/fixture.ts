/**
 * A cache with something to look at, for the UI tests and the screenshots in docs/ui.md: a training
 * function over arrays (stored values, minutes of runtime drifting over two weeks), an evaluation that
 * shares the trained weights (shared bytes), and 120 small `square` calls (more than one page). Calls
 * are saved with explicit metadata (`cache.save`), so runtimes and times are fixed and plots are stable.
 */
import { fleche, type Cache } from "../../src/index.js";

/** When the first call finished (2026-11-20 09:00 UTC). */
export const T0 = Date.UTC(2026, 10, 20, 9) / 1000;

function weights(seed: number, n: number): Float64Array {
  let s = seed;
  return new Float64Array(n).map(() => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5);
}

/** Fill `cache`; returns what the tests check against. */
export async function populateUiCache(cache: Cache): Promise<{ squares: number; trains: number }> {
  const train = fleche(function train(lr: number, data: Float64Array, epochs: number) {
    return data.map((x) => x * lr * epochs);
  }, { version: 2 });
  const evaluate = fleche(function evaluate(model: Float64Array) {
    return model.reduce((a, b) => a + b, 0);
  });
  const square = fleche(function square(x: number) {
    return x * x;
  });
  const samples = weights(7, 4000);
  const rates = [0.1, 0.03, 0.01, 0.003, 0.001];
  let trains = 0;
  for (let i = 0; i < 30; i++) {
    const lr = rates[i % rates.length]!;
    const input = i < 25 ? samples : weights(i, 4000);
    const epochs = 10 + i;
    const model = input.map((x) => x * lr * epochs);
    const stop = T0 + i * 11 * 3600;
    const wall = 60 + 20 * Math.sin(i / 3) + i * 2;
    await cache.save(await train.call(lr, input, epochs), model, meta(stop, wall, i % 3 ? "alpha" : "beta"));
    trains++;
    if (i % 2 === 0) await cache.save(await evaluate.call(model), model.reduce((a, b) => a + b, 0), meta(stop + 30, 4 + (i % 5), i % 3 ? "alpha" : "beta"));
  }
  for (let x = 1; x <= 120; x++) await cache.save(await square.call(x), x * x, meta(T0 + x * 9000, 0.002 + (x % 17) / 1000, x % 2 ? "alpha" : "beta"));
  return { squares: 120, trains };
}

function meta(timestop: number, walltime: number, project: string) {
  return { runtime: { timestart: timestop - walltime, timestop, walltime }, tags: { project } };
}
