/**
 * Where a job queue lives: its name, the Redis server and the prefix of its Redis keys. The submitting
 * side (`jobQueue()`) and the workers (`fleche worker`) must agree on all three; both check them here.
 */
import { ConfigError } from "../../errors.js";
import { keysOf, rejectUnknownKeys } from "../../known-keys.js";

/** The Redis server a queue uses when none is given: a local one on the default port. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** The prefix of a queue's Redis keys when none is given (BullMQ's own default is `bull`). */
export const DEFAULT_PREFIX = "fleche";

/** How many calls of one map wait in the queue at once when `concurrency` is not given. */
export const DEFAULT_QUEUE_CONCURRENCY = 256;

/** Options of {@link jobQueue}. */
export interface JobQueueOptions {
  /** The queue's name: workers started with `fleche worker --queue NAME` run its jobs. */
  readonly queue: string;
  /** The Redis server, as a `redis://` (or `rediss://`, TLS) URL. Default `redis://127.0.0.1:6379`. */
  readonly redis?: string;
  /** The prefix of every Redis key of the queue (workers need the same one). Default `fleche`. */
  readonly prefix?: string;
  /**
   * How many calls of one map are in the queue at once (waiting or running), unless the map's own
   * `concurrency` says otherwise. Default 256: enough to keep many workers busy; a smaller number
   * leaves fewer jobs to remove when a map is aborted.
   */
  readonly concurrency?: number;
}

/** The option keys of {@link JobQueueOptions}, checked against the interface by the compiler. */
export const JOB_QUEUE_OPTION_KEYS = keysOf<JobQueueOptions>()(["queue", "redis", "prefix", "concurrency"]);

/** Where a queue lives, checked and with defaults filled in. */
export interface QueuePlace {
  readonly queue: string;
  readonly redis: string;
  readonly prefix: string;
}

/** Check the name, URL and prefix of a queue; `what` names the caller in messages. */
export function queuePlace(what: string, options: { queue?: unknown; redis?: unknown; prefix?: unknown }, names = OPTION_NAMES): QueuePlace {
  const { queue, redis = DEFAULT_REDIS_URL, prefix = DEFAULT_PREFIX } = options;
  if (typeof queue !== "string" || queue === "") throw new ConfigError(`${what}: ${names.queue} must name the queue (a non-empty string), got ${describe(queue)}`);
  // BullMQ joins the prefix, the name and the job id with ':' into Redis keys.
  if (queue.includes(":")) throw new ConfigError(`${what}: ${names.queue} '${queue}' must not contain ':'`);
  if (typeof prefix !== "string" || prefix === "" || prefix.includes(":")) {
    throw new ConfigError(`${what}: ${names.prefix} must be a non-empty string without ':', got ${describe(prefix)}`);
  }
  if (typeof redis !== "string") throw new ConfigError(`${what}: ${names.redis} must be a redis:// URL, got ${describe(redis)}`);
  let url: URL;
  try {
    url = new URL(redis);
  } catch {
    throw new ConfigError(`${what}: ${names.redis} '${redis}' is not a URL (expected redis://HOST:PORT, e.g. ${DEFAULT_REDIS_URL})`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new ConfigError(`${what}: ${names.redis} '${redis}' is not a redis:// or rediss:// URL`);
  }
  return { queue, redis, prefix };
}

/** How the option names read in messages: `queue` in code, `--queue` on the command line. */
export interface OptionNames {
  readonly queue: string;
  readonly redis: string;
  readonly prefix: string;
}

const OPTION_NAMES: OptionNames = { queue: "queue", redis: "redis", prefix: "prefix" };

/** The options of {@link jobQueue}, checked: unknown keys and bad values are `ConfigError`s naming them. */
export function checkJobQueueOptions(options: JobQueueOptions): QueuePlace & { readonly concurrency: number } {
  if (options === null || typeof options !== "object") throw new ConfigError(`jobQueue(): expected an options object with at least \`queue\`, got ${describe(options)}`);
  rejectUnknownKeys("jobQueue()", options, JOB_QUEUE_OPTION_KEYS);
  const { concurrency = DEFAULT_QUEUE_CONCURRENCY } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConfigError(`jobQueue(): concurrency must be a whole number ≥ 1, got ${describe(concurrency)}`);
  return { ...queuePlace("jobQueue()", options), concurrency };
}

function describe(value: unknown): string {
  return typeof value === "string" ? `'${value}'` : String(value);
}
