/**
 * Mutation fuzzing with real files (issue 9): small stores of every serializer × compression, unsigned
 * and signed, are damaged (bytes flipped keeping the length, truncated, extended, value or record files
 * swapped, inline values and result digests edited, files replaced by another store's) and then every
 * entry is loaded. A load must give the right value or be a miss: 0 wrong values, and nothing but misses
 * thrown.
 *
 * `npm test` runs one store per mutation kind and combination (a few seconds);
 * `FLECHE_FUZZ_STORES=1000` runs that many per combination, and `FLECHE_FUZZ_SEED` picks the random
 * sequence (the default is fixed, so a failure reproduces).
 */
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, readdirSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cache, CacheMiss, FileStore, cache, digest, fleche } from "../../../src/index.js";
import type { CallRecord } from "../../../src/call-record.js";
import { crc32 } from "../../../src/fs/crc32.js";
import { tempDirs } from "../../helpers/temp.js";
import { prng as random } from "../../../src/testing/random-templates.js";
import { captureLogs } from "../../helpers/logs.js";

const dir = tempDirs("file-fuzz");
const KEY = "5e".repeat(32);
const OTHER_KEY = "6f".repeat(32);
const SEED = Number(process.env.FLECHE_FUZZ_SEED ?? 1);

type Options = { serializer: "v8" | "json" | "msgpack"; compress: false | "gzip" | "brotli" | "zstd"; signed: boolean };


interface Template {
  readonly root: string;
  /** Every record as written, by call key. */
  readonly records: ReadonlyMap<string, CallRecord>;
  /** Every value key in the store (parts included). */
  readonly values: readonly string[];
}

/** Build a store holding inline calls, strings, split containers and binary values (and a large one). */
async function build(root: string, options: Options, variant: number, large: boolean, secretKey = options.signed ? KEY : ""): Promise<Template> {
  // minPartSize 0: every container is an entry of its own, so damaged parts and parents are exercised.
  const store = new FileStore({ root, serializer: options.serializer, compress: options.compress, secretKey: secretKey ? secretKey : [], minPartSize: 0 });
  const c = new Cache({ values: store, calls: store });
  // Each variant's functions live in a module of their own: two stores never hold different records of
  // one call key (a record replaced by another genuine record of the same call is not a wrong value).
  const module = `fuzz-${variant}`;
  const fns = {
    add: fleche((a: number, b: number) => a + b, { name: "add", module }),
    text: fleche((n: number) => `${"x".repeat(n)}:${variant}`, { name: "text", module }),
    nested: fleche((n: number) => ({ list: [[1, 2], [3, n]], byName: new Map([["k", [n, variant]]]), name: `s${n}` }), { name: "nested", module }),
    floats: fleche((n: number) => new Float64Array(n).fill(n + variant), { name: "floats", module }),
  };
  await (async () => {
    using _ = cache(c);
    for (const n of [1, 2, 3]) await fns.add(n, variant);
    for (const n of [300, 301]) await fns.text(n);
    for (const n of [5, 6]) await fns.nested(n);
    await fns.floats(100);
    if (large) await fns.floats(40_000); // 320 KB: read in chunks through the thread pool
  })();
  const records = new Map<string, CallRecord>();
  for (const key of store.listCalls()) records.set(key, store.loadCall(key)!);
  return { root, records, values: [...store.listValues()] };
}

const MUTATIONS = ["flip", "truncate", "extend", "swap values", "swap records", "edit inline", "edit result", "foreign file", "rechecked edit"] as const;
type Mutation = (typeof MUTATIONS)[number];

function entryFiles(root: string): { values: string[]; records: string[] } {
  const values: string[] = [];
  const records: string[] = [];
  for (const shard of readdirSync(root)) {
    if (!/^[0-9a-f]{2}$/.test(shard)) continue;
    for (const name of readdirSync(join(root, shard))) {
      if (name.startsWith(".")) continue;
      (name.endsWith(".json") ? records : values).push(join(root, shard, name));
    }
  }
  return { values: values.sort(), records: records.sort() };
}

/**
 * Damage the store at `root`. Returns false when the mutation does not apply (no such file). "rechecked
 * edit" edits a record and recomputes its CRC-32, as a deliberate tamperer could: only signed stores
 * must catch it, so it is applied to signed stores only.
 */
function mutate(root: string, kind: Mutation, rand: () => number, foreign: readonly Template[]): boolean {
  const { values, records } = entryFiles(root);
  const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(rand() * list.length)];
  const any = pick([...values, ...records]);
  switch (kind) {
    case "flip": {
      if (!any) return false;
      const bytes = readFileSync(any);
      for (let i = 0, n = 1 + Math.floor(rand() * 3); i < n; i++) bytes[Math.floor(rand() * bytes.length)]! ^= 1 + Math.floor(rand() * 255);
      writeFileSync(any, bytes);
      return true;
    }
    case "truncate": {
      if (!any) return false;
      truncateSync(any, Math.floor(rand() * readFileSync(any).length));
      return true;
    }
    case "extend": {
      if (!any) return false;
      writeFileSync(any, Buffer.concat([readFileSync(any), Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 16) }, () => Math.floor(rand() * 256)))]));
      return true;
    }
    case "swap values":
    case "swap records": {
      const list = kind === "swap values" ? values : records;
      const a = pick(list);
      const b = pick(list);
      if (!a || !b || a === b) return false;
      renameSync(a, `${a}.swap`);
      renameSync(b, a);
      renameSync(`${a}.swap`, b);
      return true;
    }
    case "edit inline":
    case "edit result":
    case "rechecked edit": {
      const path = pick(records);
      if (!path) return false;
      const text = readFileSync(path, "latin1");
      const at = kind === "edit result" ? text.indexOf('"result":"') + 10 : text.indexOf('"inline":[');
      if (at < 10) return false;
      // Change one digit or letter after `at` into another of its kind, keeping the JSON valid.
      const positions = [...text.slice(at, text.length - 2)].flatMap((ch, i) => (/[0-9a-f]/.test(ch) ? [at + i] : []));
      const i = pick(positions);
      if (i === undefined) return false;
      const ch = text[i]!;
      const edited = Buffer.from(text.slice(0, i) + (ch === "0" ? "1" : ch === "a" ? "b" : String.fromCharCode(ch.charCodeAt(0) - 1)) + text.slice(i + 1), "latin1");
      if (kind === "rechecked edit") edited.write(crc32(edited.subarray(18)).toString(16).padStart(8, "0"), 10, "latin1");
      writeFileSync(path, edited);
      return true;
    }
    case "foreign file": {
      const target = any;
      const files = foreign.flatMap((store) => Object.values(entryFiles(store.root)).flat());
      const source = pick(files);
      if (!target || !source) return false;
      writeFileSync(target, readFileSync(source));
      return true;
    }
  }
}

/** Load everything the template holds from the damaged store; count right values, misses and wrong values. */
async function check(root: string, options: Options, template: Template, tally: Tally): Promise<void> {
  const store = new FileStore({ root, serializer: options.serializer, compress: options.compress, secretKey: options.signed ? KEY : [] });
  const value = async (key: string, where: string) => {
    try {
      const loaded = await store.loadValue(key);
      if (digest(loaded) === key) tally.right++;
      else tally.wrong.push(`${where}: value ${key} loaded as something else`);
    } catch (error) {
      if (error instanceof CacheMiss) tally.misses++;
      else tally.wrong.push(`${where}: value ${key} threw ${(error as Error).name}: ${(error as Error).message}`);
    }
  };
  for (const [key, original] of template.records) {
    let record: CallRecord | undefined;
    try {
      record = store.loadCall(key);
    } catch (error) {
      tally.wrong.push(`record ${key} threw ${(error as Error).name}: ${(error as Error).message}`);
      continue;
    }
    if (!record) {
      tally.misses++;
      continue;
    }
    try {
      assert.deepEqual(record, original);
      tally.right++;
    } catch {
      tally.wrong.push(`record ${key} loaded with other content`);
      continue;
    }
    const inline = new Map(record.inline ?? []);
    for (const d of [...Object.values(record.arguments), record.result!]) {
      if (inline.has(d)) {
        if (digest(inline.get(d)) === d) tally.right++;
        else tally.wrong.push(`record ${key}: inline value of ${d} is wrong`);
      } else {
        await value(d, `record ${key}`);
      }
    }
  }
  for (const key of template.values) await value(key, "listing");
}

interface Tally {
  stores: number;
  right: number;
  misses: number;
  wrong: string[];
}

const COMBINATIONS: Options[] = [];
for (const serializer of ["v8", "json", "msgpack"] as const) {
  for (const compress of [false, "gzip", "brotli", "zstd"] as const) {
    for (const signed of [false, true]) COMBINATIONS.push({ serializer, compress, signed });
  }
}

const PER_COMBINATION = Number(process.env.FLECHE_FUZZ_STORES ?? MUTATIONS.length);
const results: string[] = [];
after(() => {
  if (process.env.FLECHE_FUZZ_STORES) console.log(results.join("\n"));
});

describe("FileStore mutation fuzzing", () => {
  for (const [index, options] of COMBINATIONS.entries()) {
    const label = `${options.serializer} × ${options.compress || "uncompressed"} × ${options.signed ? "signed" : "unsigned"}`;
    it(`${label}: ${PER_COMBINATION} damaged stores, 0 wrong values`, async () => {
      const base = dir();
      const small = await build(join(base, "small"), options, 0, false);
      const large = await build(join(base, "large"), options, 1, true);
      // Foreign stores: same settings, other content; unsigned or signed with the store's key (whichever
      // it is not), and signed with another key.
      const foreign = [
        await build(join(base, "foreign"), { ...options, signed: !options.signed }, 2, false),
        await build(join(base, "foreign-key"), options, 3, false, OTHER_KEY),
      ];
      const rand = random(SEED * 1000 + index);
      const tally: Tally = { stores: 0, right: 0, misses: 0, wrong: [] };
      const logs = captureLogs();
      try {
        for (let i = 0; i < PER_COMBINATION; i++) {
          const template = i % 8 === 7 ? large : small;
          const root = join(base, `m${i}`);
          cpSync(template.root, root, { recursive: true });
          const kinds = MUTATIONS.filter((k) => k !== "rechecked edit" || options.signed);
          // One mutation of each kind in turn, then 1 to 3 of random kinds.
          const planned = i < kinds.length ? [kinds[i]!] : Array.from({ length: 1 + Math.floor(rand() * 3) }, () => kinds[Math.floor(rand() * kinds.length)]!);
          for (const kind of planned) mutate(root, kind, rand, foreign);
          await check(root, options, template, tally);
          tally.stores++;
          rmSync(root, { recursive: true, force: true });
        }
      } finally {
        logs.restore();
      }
      results.push(`${label}: ${tally.stores} stores, ${tally.right} right, ${tally.misses} misses, ${tally.wrong.length} wrong`);
      assert.deepEqual(tally.wrong, [], `seed ${SEED}`);
      assert.ok(tally.misses > 0 && tally.right > 0, "the mutations hit, and undamaged entries still load");
    });
  }
});
