/**
 * Where the misses of `f.map` run: an executor takes one {@link CallTask} at a time and hands back its
 * result. The worker-thread pool (`threads()`) and the job queue implement it; so can anything else.
 */
import type { CallTask } from "./task.js";

/** What an executor hands back: the result itself, or word that it is stored in the shared cache. */
export type TaskResult = { readonly value: unknown } | { readonly stored: true };

/** Where the misses of `f.map` run. */
export interface Executor {
  /** For messages, e.g. `"worker threads"`, `"queue fleche-sweep"`. */
  readonly name: string;
  /** The default concurrency of a map on it (how many tasks it runs at once). */
  readonly concurrency: number;
  /** True when results come back through the shared cache: tasks whose cache is null are refused before dispatch. */
  readonly needsSharedCache: boolean;
  /** Run one task; `signal` aborts it (the returned promise then rejects). */
  run(task: CallTask, signal: AbortSignal): Promise<TaskResult>;
  /** Release what the executor holds (threads, connections); tasks still running are ended. */
  close(): Promise<void>;
}
