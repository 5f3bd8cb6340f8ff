/**
 * The error codes are a closed list: `ERROR_CODES` (the `ErrorCode` type) and `docs/errors.md` must name
 * exactly the same codes, so a new code cannot ship undocumented and a documented code cannot linger
 * after its last throw site is gone. Each class's code must be documented under that class.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  AmbiguousDigestError,
  CacheMiss,
  ConfigError,
  ERROR_CODES,
  FlecheError,
  Indigestible,
  Rejected,
  SaveError,
  SignatureError,
  StoreUnavailable,
} from "../src/errors.js";

const DOC = readFileSync(new URL("../docs/errors.md", import.meta.url), "utf8");

/** The documented codes: each `### \`FLECHE_…\`` heading opens the section of one code. */
function sections(): Map<string, string> {
  const found = new Map<string, string>();
  const parts = DOC.split(/^### /m).slice(1);
  for (const part of parts) {
    const match = /^`(FLECHE_[A-Z0-9_]+)`\s*\n/.exec(part);
    assert.ok(match, `a code heading must be exactly ### \`FLECHE_…\`, got: ${part.split("\n")[0]}`);
    assert.ok(!found.has(match[1]!), `${match[1]} is documented twice`);
    found.set(match[1]!, part);
  }
  return found;
}

/** The codes of the summary table: rows starting with | `FLECHE_…` |. */
function tableRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of DOC.matchAll(/^\| `(FLECHE_[A-Z0-9_]+)` \| `(\w+)` \|/gm)) rows.set(match[1]!, match[2]!);
  return rows;
}

describe("error codes", () => {
  test("every code is documented, and every documented code exists", () => {
    const documented = [...sections().keys()].sort();
    assert.deepEqual(documented, [...ERROR_CODES].sort());
  });

  test("the summary table lists every code once", () => {
    assert.deepEqual([...tableRows().keys()].sort(), [...ERROR_CODES].sort());
  });

  test("codes are unique", () => {
    assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
  });

  test("each class's code is documented under that class", () => {
    const instances: FlecheError[] = [
      new CacheMiss("k"),
      new Rejected("r"),
      new Indigestible(Symbol("s"), "args.x", "a symbol"),
      new SaveError("s"),
      new AmbiguousDigestError("a", []),
      new SignatureError("s"),
      new ConfigError("c"),
      new StoreUnavailable("u"),
    ];
    const docs = sections();
    const table = tableRows();
    for (const error of instances) {
      assert.ok(error instanceof FlecheError);
      assert.ok((ERROR_CODES as readonly string[]).includes(error.code), `${error.name} carries ${error.code}`);
      assert.equal(table.get(error.code), error.name, `the table names ${error.name} for ${error.code}`);
      assert.match(docs.get(error.code) ?? "", new RegExp(`\\*\\*Class:\\*\\* \`${error.name}\``), `${error.code} is documented under ${error.name}`);
    }
  });

  test("a throw site cannot invent a code", () => {
    // The type check of `npm test` is the real assertion: a code outside ErrorCode does not compile.
    // @ts-expect-error "FLECHE_INVENTED" is not an ErrorCode
    const invented = new FlecheError("x", "FLECHE_INVENTED");
    assert.ok(!(ERROR_CODES as readonly string[]).includes(invented.code));
  });
});
