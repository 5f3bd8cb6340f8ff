/**
 * The SQL schema and its versions. The version lives in `fleche_schema`; a store opening an older
 * database upgrades it in place (one transaction, under a lock, so concurrent openers do it once), a
 * newer one is refused without touching it.
 *
 * History:
 * - 1: `calls` (one row per call: key, function identity, version as JSON, result digest, inline small
 *   values as JSON), `arguments` (one row per parameter: position, name, value digest), `metadata` (one
 *   row per namespace, its JSON object); children cascade on delete.
 * - 2: `calls.timestop` mirrors `metadata.runtime.timestop` (backfilled), indexed alone and after the
 *   function name, so latest()/oldest() and time ranges are index lookups.
 * - 3: `calls.result_check` and `calls.record_check`, CRC-32s of what a hit serves and of the whole
 *   record (`checks.ts`), verified on every read. The upgrade computes them for the rows present
 *   (`backfill.ts`), in the same transaction; a row that was already unreadable keeps no record check
 *   and stays a miss.
 * - 4: `record_check` over length-prefixed fields (version 3 hashed JSON texts, for a few weeks of
 *   development only); the upgrade recomputes both checksums of every row, as from version 2.
 * - 5: `value_entries` (the store holds values too: one row per entry, its envelope bytes, the keys of
 *   its parts, the time it was written or last touched) and `leases` (one row per call being computed:
 *   its owner and expiry). The upgrade creates both, empty; the call tables are not changed. PostgreSQL
 *   keeps bodies uncompressed out of line (`STORAGE EXTERNAL`): fleche compresses them itself when asked.
 */
import type { Dialect } from "./dialect.js";

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = 5;

/** The first version whose checksums this code computes: older databases get theirs (re)computed when upgraded. */
export const CHECKS_VERSION = 4;

/** The version table: one row. */
export function versionTable(): string {
  return "CREATE TABLE IF NOT EXISTS fleche_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)";
}

/** Statements creating the current schema in an empty database. */
export function createStatements(d: Dialect): string[] {
  const { digest, real, json, withoutRowid } = d.types;
  return [
    versionTable(),
    ...valueAndLeaseTables(d),
    `CREATE TABLE calls (
      key ${digest} PRIMARY KEY,
      name TEXT NOT NULL,
      module TEXT,
      version TEXT,
      code_digest ${digest},
      result ${digest},
      inline TEXT,
      timestop ${real},
      result_check INTEGER,
      record_check INTEGER
    )`,
    `CREATE TABLE arguments (
      call_key ${digest} NOT NULL REFERENCES calls (key) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      name TEXT NOT NULL,
      value ${digest} NOT NULL,
      PRIMARY KEY (call_key, name)
    )${withoutRowid}`,
    `CREATE TABLE metadata (
      call_key ${digest} NOT NULL REFERENCES calls (key) ON DELETE CASCADE,
      namespace TEXT NOT NULL,
      data ${json} NOT NULL,
      PRIMARY KEY (call_key, namespace)
    )${withoutRowid}`,
    "CREATE INDEX calls_name ON calls (name, timestop)",
    "CREATE INDEX calls_timestop ON calls (timestop)",
    "CREATE INDEX arguments_value ON arguments (name, value)",
    `INSERT INTO fleche_schema (id, version) VALUES (1, ${SCHEMA_VERSION})`,
  ];
}

/**
 * The tables of version 5. Times are milliseconds since the epoch: `touched_at` on the writer's clock
 * (the clock gc's cutoff is read on), `since` and `expires` on the database's clock where it has one
 * (PostgreSQL), as `timestamptz`; SQLite, one machine's file, keeps them as milliseconds too.
 */
function valueAndLeaseTables(d: Dialect): string[] {
  const { digest, withoutRowid } = d.types;
  const bytes = d.name === "sqlite" ? "BLOB" : "BYTEA";
  const time = d.name === "sqlite" ? "INTEGER" : "BIGINT";
  const instant = d.name === "sqlite" ? "INTEGER" : "TIMESTAMPTZ";
  return [
    `CREATE TABLE value_entries (
      key ${digest} PRIMARY KEY,
      body ${bytes} NOT NULL,
      children TEXT NOT NULL,
      touched_at ${time} NOT NULL
    )`,
    `CREATE TABLE leases (
      key ${digest} PRIMARY KEY,
      host TEXT NOT NULL,
      pid INTEGER NOT NULL,
      token TEXT NOT NULL,
      since ${instant} NOT NULL,
      expires ${instant} NOT NULL
    )${withoutRowid}`,
    // Bodies are compressed by fleche when asked (`compress`), never by PostgreSQL's TOAST: trying to
    // compress a large body costs seconds (a 100 MB value was 12× slower to insert), and an external,
    // uncompressed body lets `substring` read it in chunks without reading all of it.
    ...(d.name === "postgres" ? ["ALTER TABLE value_entries ALTER COLUMN body SET STORAGE EXTERNAL"] : []),
  ];
}

/** Upgrades: `steps[v]` turns version `v` into `v + 1`. */
export function migrationStatements(d: Dialect, from: number): string[] {
  const steps: { [from: number]: string[] } = {
    1: [
      `ALTER TABLE calls ADD COLUMN timestop ${d.types.real}`,
      d.name === "sqlite"
        ? `UPDATE calls SET timestop = (
             SELECT json_extract(m.data, '$.timestop') FROM metadata m
             WHERE m.call_key = calls.key AND m.namespace = 'runtime' AND json_type(m.data, '$.timestop') IN ('integer', 'real'))`
        : `UPDATE calls c SET timestop = (m.data ->> 'timestop')::float8 FROM metadata m
           WHERE m.call_key = c.key AND m.namespace = 'runtime' AND jsonb_typeof(m.data -> 'timestop') = 'number'`,
      "DROP INDEX calls_name",
      "CREATE INDEX calls_name ON calls (name, timestop)",
      "CREATE INDEX calls_timestop ON calls (timestop)",
    ],
    2: ["ALTER TABLE calls ADD COLUMN result_check INTEGER", "ALTER TABLE calls ADD COLUMN record_check INTEGER"],
    3: [], // the same columns; only the checksums are recomputed (`backfill.ts`)
    4: valueAndLeaseTables(d),
  };
  const out: string[] = [];
  for (let v = from; v < SCHEMA_VERSION; v++) out.push(...(steps[v] ?? []));
  out.push(`UPDATE fleche_schema SET version = ${SCHEMA_VERSION}`);
  return out;
}

/** The message for a database written by a newer fleche. */
export function newerSchemaMessage(label: string, found: number): string {
  return `${label}: the database has schema version ${found}, newer than this fleche understands (${SCHEMA_VERSION}); upgrade fleche to use it (nothing was changed)`;
}

/** The message for a database with a `calls` table fleche did not create. */
export function foreignSchemaMessage(label: string): string {
  return `${label}: the database has a \`calls\` table but no fleche_schema version table; it was not created by this fleche (a Python fleche database?) and is left untouched`;
}
