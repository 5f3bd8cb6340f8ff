/**
 * Store descriptors: the generic config conversion, and the docs kept in step with them (the option
 * tables of docs/stores.md list exactly each built-in descriptor's options, by TypeScript and config name).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../src/errors.js";
import { BUILTIN_STORES } from "../../src/stores/builtin.js";
import { configFromSettings, optionsFromConfig, type StoreOptionTable } from "../../src/stores/descriptor.js";
import { REPO } from "../helpers/project.js";

const table: StoreOptionTable = {
  type: "demo",
  options: [
    { name: "root", configName: "root", doc: "a directory", required: true, parse: (v) => String(v) },
    { name: "partSize", configName: "part_size", doc: "a size", parse: (v) => Number(v), write: (v) => (v === 64 ? undefined : v) },
    { name: "secretKey", configName: "secret_key", doc: "a key", secret: true, parse: (v) => v },
    { configName: "signed", doc: "config only", parse: (v) => v },
  ],
};

describe("descriptor conversion", () => {
  it("turns config keys into TypeScript names, parsing each value and leaving absent ones out", () => {
    assert.deepEqual(optionsFromConfig(table, { root: "r", part_size: "8", signed: true }, "here"), { root: "r", partSize: 8, signed: true });
    assert.deepEqual(optionsFromConfig(table, { root: "r" }, "here"), { root: "r" });
  });

  it("rejects unknown keys (with a suggestion) and missing required ones, naming the origin", () => {
    assert.throws(() => optionsFromConfig(table, { root: "r", partSize: 1 }, "f.toml [x] values"), (e: unknown) =>
      e instanceof ConfigError && e.message === "f.toml [x] values: unknown option `partSize` for a 'demo' store (did you mean `part_size`?) (known: root, part_size, secret_key, signed)");
    assert.throws(() => optionsFromConfig(table, {}, "here"), /^ConfigError: here: a 'demo' store needs a `root`$/);
  });

  it("names the option in parse errors, in the table's own wording when it has one", () => {
    const strict: StoreOptionTable = { ...table, options: [{ name: "n", configName: "n_n", doc: "", parse: (_, where) => { throw new ConfigError(`${where} is bad`); } }] };
    assert.throws(() => optionsFromConfig(strict, { n_n: 1 }, "o"), /^ConfigError: o: option `n_n` of a 'demo' store is bad$/);
    assert.throws(() => optionsFromConfig({ ...strict, label: (o, n) => `${o}: \`${n}\`` }, { n_n: 1 }, "o"), /^ConfigError: o: `n_n` is bad$/);
  });

  it("writes a config from settings: config names, secrets never, defaults as `write` says", () => {
    assert.deepEqual(configFromSettings(table, { root: "r", partSize: 64, secretKey: "k", signed: true }), { type: "demo", root: "r", signed: true });
    assert.deepEqual(configFromSettings(table, { root: "r", partSize: 8 }), { type: "demo", root: "r", part_size: 8 });
  });

  it("every built-in descriptor names each option once, in snake_case, with a doc line", () => {
    for (const d of BUILTIN_STORES) {
      const names = d.options.map((o) => o.configName);
      assert.equal(new Set(names).size, names.length, d.type);
      for (const o of d.options) {
        assert.match(o.configName, /^[a-z][a-z0-9_]*$/, `${d.type}.${o.configName}`);
        assert.ok(o.doc.length > 0, `${d.type}.${o.configName} has a doc line`);
      }
    }
  });
});

/** The section of docs/stores.md each built-in store is described in. */
const SECTIONS: Readonly<Record<string, string>> = { memory: "## Memory", void: "## Void", file: "## FileStore", hdf5: "## Hdf5Store", sql: "## Sql", s3: "## S3Store" };

/**
 * The option rows of a section's option tables as "tsName/config_name" ("-" for config-only options).
 * Two table shapes are in use: `| option (TypeScript / TOML) |` with "`a` / `b`" in the first cell, and
 * `| option | config key |` with the names in two cells.
 */
function documentedOptions(section: string): string[] {
  const rows: string[] = [];
  let shape: "slash" | "columns" | undefined;
  for (const line of section.split("\n")) {
    if (!line.startsWith("|")) {
      shape = undefined;
      continue;
    }
    if (/^\| option \(/.test(line)) shape = "slash";
    else if (/^\| option \| config key \|/.test(line)) shape = "columns";
    else if (shape && !/^\|-/.test(line)) {
      const cells = line.split("|").slice(1, -1).map((c) => c.trim());
      const [ts, config] = shape === "slash" ? (cells[0] ?? "").split(" / ") : [cells[0], cells[1]];
      const name = (cell: string | undefined) => (cell === undefined || cell === "—" ? "-" : cell.replace(/`/g, ""));
      rows.push(`${name(ts)}/${name(config)}`);
    }
  }
  return rows;
}

describe("docs/stores.md lists exactly each store's options", () => {
  const docs = readFileSync(join(REPO, "docs/stores.md"), "utf8");
  for (const descriptor of BUILTIN_STORES) {
    it(descriptor.type, () => {
      const heading = SECTIONS[descriptor.type];
      assert.ok(heading, `a docs section is named for '${descriptor.type}'`);
      const start = docs.indexOf(`\n${heading}`);
      assert.notEqual(start, -1, `docs/stores.md has a section "${heading}"`);
      const end = docs.indexOf("\n## ", start + 1);
      const section = docs.slice(start, end === -1 ? undefined : end);
      assert.deepEqual(
        documentedOptions(section),
        descriptor.options.map((o) => `${o.name ?? "-"}/${o.configName}`),
        `the option table of "${heading}" (TypeScript / config names, in order)`,
      );
    });
  }
});
