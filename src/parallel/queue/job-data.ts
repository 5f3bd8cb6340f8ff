/**
 * A {@link CallTask} as a BullMQ job: its data is JSON in Redis, so the arguments (any value the v8
 * serializer takes: typed arrays, Maps, Dates, BigInts) travel as v8 bytes in base64; everything else in
 * a task is JSON already.
 */
import { createHash } from "node:crypto";
import { deserialize, serialize } from "node:v8";
import type { CacheConfig } from "../../cache-like.js";
import type { JsonValue } from "../../call-record.js";
import { FlecheError } from "../../errors.js";
import type { CallTask, FunctionReference } from "../task.js";

/** The format of job data; a worker refuses jobs of another (a submitter running another fleche). */
const FORMAT = 1;

/** What a job carries. */
export interface JobData {
  readonly format: number;
  readonly fn: FunctionReference;
  /** `task.args`, v8-serialized, base64. */
  readonly args: string;
  readonly key: string;
  readonly cache: CacheConfig;
  readonly meta: JsonValue;
}

/** A task as job data. Its cache must be shareable (not null): the caller checks first. */
export function jobData(task: CallTask & { readonly cache: CacheConfig }): JobData {
  return { format: FORMAT, fn: task.fn, args: serialize(task.args).toString("base64"), key: task.key, cache: task.cache, meta: task.meta };
}

/** The task a job carries. @throws FlecheError (FLECHE_FORMAT) for data fleche did not write. */
export function taskOf(data: unknown): CallTask {
  const d = data as Partial<JobData> | null;
  if (d === null || typeof d !== "object" || d.format !== FORMAT || typeof d.args !== "string" || typeof d.key !== "string" || typeof d.fn !== "object") {
    const found = d !== null && typeof d === "object" && "format" in d ? `format ${String(d.format)}` : "no fleche task";
    throw new FlecheError(`this job holds ${found}; this worker reads format ${FORMAT} (is the submitting side running another version of fleche?)`, "FLECHE_FORMAT");
  }
  return { fn: d.fn, args: deserialize(Buffer.from(d.args, "base64")) as unknown[], key: d.key, cache: d.cache ?? null, meta: d.meta ?? null };
}

/**
 * The job id of a task: its call key, so that the same call queued twice (by two maps, two machines) is
 * one job, run once; and a digest of the cache it is filed in, so that the same call for two different
 * caches is two jobs (each cache gets its record).
 */
export function jobIdOf(task: CallTask): string {
  const cache = createHash("sha256").update(JSON.stringify(task.cache)).digest("hex").slice(0, 16);
  return `${task.key}-${cache}`;
}
