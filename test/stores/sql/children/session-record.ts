/** What the `sql-session.ts` child and the tests driving it agree on: records by number, a cached function. */
import { digest, fleche, type CallRecord } from "../../../../src/index.js";

/** Record number `n`. */
export function sessionRecord(n: number): CallRecord {
  return {
    key: digest(["session-record", n]),
    name: "session",
    module: null,
    version: 1,
    codeDigest: null,
    arguments: { n: digest(n) },
    result: digest(n * 2),
    metadata: { runtime: { timestop: 1_700_000_000 + n } },
  };
}

/** `add(a, b)`, cached, counting the runs of its body (its small result travels inside the record). */
export function sessionAdd(): { add: (a: number, b: number) => Promise<number>; runs: { count: number } } {
  const runs = { count: 0 };
  const add = fleche((a: number, b: number) => (runs.count++, a + b), { name: "add", module: "sql-session", version: 1 });
  return { add: (a, b) => Promise.resolve(add(a, b)), runs };
}
