/**
 * The Node peers of the file-store benchmark, each wrapped as the memoizer a user would write around it:
 * key = JSON of the arguments, a read, and on a miss the body plus a write.
 */
import { Keyv } from "keyv";
import KeyvSqlite from "@keyv/sqlite";
import nodePersist from "node-persist";
import cacache from "cacache";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

/** A memoized `tiny(a, b) = a + b` over some store. */
export type Memoized = (a: number, b: number) => Promise<number>;

const tiny = (a: number, b: number) => a + b;

/** The peers by name, built under `dir`, memoizing `body` (by default `tiny`). */
export async function nodePeers(dir: string, body: (a: number, b: number) => number | Promise<number> = tiny): Promise<[string, Memoized][]> {
  mkdirSync(dir, { recursive: true });
  const keyv = new Keyv({ store: new KeyvSqlite(`sqlite://${join(dir, "keyv.sqlite")}`) });
  const persist = nodePersist.create({ dir: join(dir, "node-persist"), logging: false, expiredInterval: 0 });
  await persist.init();
  const cacachePath = join(dir, "cacache");
  return [
    [
      "keyv + @keyv/sqlite",
      async (a, b) => {
        const key = JSON.stringify([a, b]);
        const hit = (await keyv.get(key)) as number | undefined;
        if (hit !== undefined) return hit;
        const result = await body(a, b);
        await keyv.set(key, result);
        return result;
      },
    ],
    [
      "node-persist",
      async (a, b) => {
        const key = JSON.stringify([a, b]);
        const hit = (await persist.getItem(key)) as number | undefined;
        if (hit !== undefined) return hit;
        const result = await body(a, b);
        await persist.setItem(key, result);
        return result;
      },
    ],
    [
      "cacache",
      async (a, b) => {
        const key = JSON.stringify([a, b]);
        try {
          return JSON.parse((await cacache.get(cacachePath, key)).data.toString()) as number;
        } catch (error) {
          if ((error as { code?: string }).code !== "ENOENT") throw error;
        }
        const result = await body(a, b);
        await cacache.put(cacachePath, key, JSON.stringify(result));
        return result;
      },
    ],
  ];
}
