/**
 * Loading BullMQ and its Redis client, ioredis: both are optional dependencies, imported on first use so
 * that a program without a job queue never loads them, and a missing one is a clear
 * `FLECHE_MISSING_DEPENDENCY` error naming the package to install. ioredis is loaded first, by us: BullMQ
 * loads it itself with `require` and would otherwise report it missing in words of its own.
 */
import type * as BullMQ from "bullmq";
import { FlecheError } from "../../errors.js";

/** The BullMQ module. */
export type BullMQModule = typeof BullMQ;

let loading: Promise<BullMQModule> | undefined;

/** BullMQ, loaded once. @throws FlecheError (FLECHE_MISSING_DEPENDENCY) naming the package that is missing. */
export function loadBullMQ(label: string): Promise<BullMQModule> {
  loading ??= (async () => {
    await importOrExplain(label, "ioredis", () => import("ioredis"));
    return importOrExplain(label, "bullmq", () => import("bullmq"));
  })();
  return loading.catch((error: unknown) => {
    loading = undefined; // installed later in a long-running process: try again next time
    throw error;
  });
}

async function importOrExplain<T>(label: string, name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new FlecheError(
      `${label}: the job queue needs the optional package '${name}' (npm install bullmq@6.7.6 ioredis@6.1.0): ${(error as Error).message}`,
      "FLECHE_MISSING_DEPENDENCY",
      { cause: error },
    );
  }
}
