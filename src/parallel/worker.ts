/**
 * The worker-thread entry of the `threads()` pool (piscina loads it in each thread): run one task with
 * {@link runTask} and hand its result back, typed arrays transferred rather than copied.
 */
import { Piscina } from "piscina";
import { registerBuiltinStores } from "../stores/builtin.js";
import { runTask } from "./run-task.js";
import type { CallTask } from "./task.js";

// Like the package's entry points: tasks name store types in their cache configs.
registerBuiltinStores();

/** What the pool sends each worker. */
export interface WorkerMessage {
  readonly task: CallTask;
}

/**
 * Run the task; the result comes back with its whole-buffer typed arrays (the result itself, or its
 * elements and fields one level down) transferred: the worker gives them up, which is safe because the
 * result was just computed, or decoded from the store, for this task alone.
 */
export default async function run({ task }: WorkerMessage): Promise<unknown> {
  const value = await runTask(task);
  const buffers = transferableBuffers(value);
  if (!buffers.length) return value;
  return Piscina.move({ [Piscina.transferableSymbol]: buffers, [Piscina.valueSymbol]: value } as never);
}

/** Buffers of typed arrays that own them whole (views of part of a buffer are copied instead). */
function transferableBuffers(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const visit = (v: unknown) => {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) found.add(v.buffer);
  };
  visit(value);
  if (Array.isArray(value)) value.forEach(visit);
  else if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) Object.values(value).forEach(visit);
  return [...found];
}
