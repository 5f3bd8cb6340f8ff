/**
 * `npm run bench`'s section filters (bench/run.ts, docs/performance.md): a filter that matches no
 * section is an error naming it, before any section runs.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO, runTs, tempDir } from "../helpers/project.js";
import { selectSections } from "../../bench/select.js";

it("npm run bench refuses a filter that matches no section, naming it and the sections, before running any", async () => {
  const home = tempDir("fleche-bench-run-");
  const result = await runTs(join(REPO, "bench/run.ts"), ["file", "no-such-section"], { cwd: REPO, home });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /no section matches 'no-such-section'/);
  assert.match(result.stderr, /the sections are: .*20-file.*30-sql/);
  assert.doesNotMatch(result.stderr, /'file'/, "the filter that matches is not reported");
  assert.equal(result.stdout, "", "nothing ran");
});

it("selects every section without a filter, and those matching any of several filters, in name order", () => {
  const sections = ["30-sql.ts", "10-core.ts", "20-file.ts", "20-compose.ts"];
  assert.deepEqual(selectSections(sections, []), { run: ["10-core.ts", "20-compose.ts", "20-file.ts", "30-sql.ts"] });
  assert.deepEqual(selectSections(sections, ["sql", "file"]), { run: ["20-file.ts", "30-sql.ts"] });
  assert.deepEqual(selectSections(sections, ["20-"]), { run: ["20-compose.ts", "20-file.ts"] });
  assert.deepEqual(selectSections(sections, ["sql", "s3", "ui"]), { unmatched: ["s3", "ui"] });
});
