/** Keys and values the writer processes use: all in the prefix file "ab.h5". */
export function workerKey(worker: number, i: number): string {
  return `ab${worker.toString(16).padStart(2, "0")}${i.toString(16).padStart(4, "0")}`.padEnd(64, "0");
}

export function workerValue(worker: number, i: number): unknown {
  return { worker, i, payload: "x".repeat(i * 10), data: Float64Array.from({ length: i }, (_, k) => k * worker) };
}
