/**
 * The worker-thread entry of the `threads()` pool (piscina loads it in each thread): run one task with
 * {@link runTask} and hand its result back, typed arrays transferred rather than copied.
 */
import { Piscina } from "piscina";
import { registerBuiltinStores } from "../stores/builtin.js";
import { runTask } from "./run-task.js";
import { describeThrown, type ThrownDescription } from "./thrown.js";
import type { CallTask } from "./task.js";

// Like the package's entry points: tasks name store types in their cache configs.
registerBuiltinStores();

/** What the pool sends each worker. */
export interface WorkerMessage {
  readonly task: CallTask;
}

/** What a worker hands back: the result, or a description of what the task threw. */
export type WorkerReply = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ThrownDescription };

/**
 * Run the task; a failure comes back described (so a `FlecheError` keeps its code), and the result with its whole-buffer typed arrays (the result itself, or its
 * elements and fields one level down) transferred: the worker gives them up, which is safe because the
 * result was just computed, or decoded from the store, for this task alone.
 */
export default async function run({ task }: WorkerMessage): Promise<WorkerReply> {
  let value: unknown;
  try {
    value = await runTask(task);
  } catch (error) {
    return { ok: false, error: describeThrown(error) };
  }
  const reply: WorkerReply = { ok: true, value };
  const buffers = transferableBuffers(value);
  if (!buffers.length) return reply;
  return Piscina.move({ [Piscina.transferableSymbol]: buffers, [Piscina.valueSymbol]: reply } as never) as unknown as WorkerReply;
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
