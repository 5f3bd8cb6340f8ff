/**
 * Waiting for jobs to finish: one BullMQ `QueueEvents` reader per submitting executor, dispatching the
 * queue's event stream to the tasks that wait on each job id.
 *
 * No event is ever missed: the reader starts from the stream's last entry as it stood when the executor
 * opened (read by id, not "whatever comes next", which would lose events published before the first
 * blocking read is on the wire), and a task registers its watch before it adds its job. Jobs are removed
 * from Redis as they finish, so a job id that exists when it is added again is one that has not finished
 * yet: its outcome is always still to come.
 */
import type { QueueEvents } from "bullmq";
import type { BullMQModule } from "./bullmq.js";
import type { QueuePlace } from "./options.js";

/** What a watcher is told about one job. */
export interface JobOutcome {
  /** The job completed: the worker filed the result in the shared cache. */
  completed(): void;
  /** The job failed for good; `reason` is the worker's error message. */
  failed(reason: string): void;
  /** The job was removed before it finished (another submitter aborted it while it waited). */
  removed(): void;
}

/** One task's watch on a job id. */
export interface JobWatch {
  /** Stop watching (the task settled or was aborted). */
  cancel(): void;
}

/** The outcomes of the jobs of one queue, as they happen. */
export interface Completions {
  /** Watch job `id` until {@link JobWatch.cancel}; outcomes may come more than once (a re-added job). */
  watch(id: string, outcome: JobOutcome): JobWatch;
  /** How many watches are open on job `id` in this process. */
  watchers(id: string): number;
  /** Stop reading events. */
  close(): Promise<void>;
}

/** Minimal view of the ioredis client the stream position is read with. */
export interface StreamReader {
  xrevrange(key: string, end: string, start: string, count: "COUNT", n: number): Promise<[string, string[]][]>;
}

/** Start reading the events of the queue at `place`, from the current end of its stream. */
export async function openCompletions(bull: BullMQModule, place: QueuePlace, reader: StreamReader): Promise<Completions> {
  const [last] = await reader.xrevrange(`${place.prefix}:${place.queue}:events`, "+", "-", "COUNT", 1);
  const events: QueueEvents = new bull.QueueEvents(place.queue, {
    connection: { url: place.redis },
    prefix: place.prefix,
    lastEventId: last?.[0] ?? "0-0",
  });
  // A reader whose connection fails keeps retrying (ioredis reconnects); its errors are not the tasks'.
  events.on("error", () => {});
  const watches = new Map<string, Set<JobOutcome>>();
  const each = (id: string, call: (outcome: JobOutcome) => void) => {
    for (const outcome of [...(watches.get(id) ?? [])]) call(outcome);
  };
  events.on("completed", ({ jobId }) => each(jobId, (o) => o.completed()));
  events.on("failed", ({ jobId, failedReason }) => each(jobId, (o) => o.failed(failedReason)));
  events.on("removed", ({ jobId }) => each(jobId, (o) => o.removed()));
  await events.waitUntilReady();
  return {
    watch(id, outcome) {
      let set = watches.get(id);
      if (!set) watches.set(id, (set = new Set()));
      set.add(outcome);
      return {
        cancel() {
          set.delete(outcome);
          if (set.size === 0 && watches.get(id) === set) watches.delete(id);
        },
      };
    },
    watchers: (id) => watches.get(id)?.size ?? 0,
    close: () => events.close(),
  };
}
