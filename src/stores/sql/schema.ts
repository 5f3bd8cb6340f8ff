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
 * - 6: a record is its `calls` row alone: `calls.arguments` (JSON array of `[name, digest]` pairs in
 *   position order) and `calls.metadata` (JSON object, namespace → data) replace the `arguments` and
 *   `metadata` tables, so a save writes one row and its index entries instead of three tables' rows.
 *   `arguments` becomes the index of argument queries only, `(name, value, call_key)` as its primary key,
 *   kept by triggers on `calls` from its JSON column (`argumentIndex`), so every write and delete path,
 *   hand edits included, keeps it. The upgrade fills the columns from the old tables (arguments in
 *   position order, each namespace's stored JSON text spliced unchanged), rebuilds the index and drops
 *   the old tables; the checksums are over the record's fields, not its layout, and stay as they were.
 *   `calls.walltime` mirrors `metadata.runtime.walltime` (backfilled) and joins the `calls_name` index,
 *   so runtime statistics read the index instead of every record.
 */
import type { Dialect } from "./dialect.js";

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = 6;

/** The first version whose checksums this code computes: older databases get theirs (re)computed when upgraded. */
export const CHECKS_VERSION = 4;

/** The version table: one row. */
export function versionTable(): string {
  return "CREATE TABLE IF NOT EXISTS fleche_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)";
}

/**
 * Calls by function and finish time, with their wall time: latest()/oldest() of a function and time
 * ranges walk it, and runtime statistics read names and wall times from it alone (a covering index, a
 * small fraction of the table's pages) instead of every row. `timestop` grows with every save, so new
 * entries land at the end of each function's range, and the wall time only widens an entry: a save
 * writes no more pages than with the index on `(name, timestop)` alone.
 */
const CALLS_NAME_INDEX = "CREATE INDEX calls_name ON calls (name, timestop, walltime)";

/** Statements creating the current schema in an empty database. */
export function createStatements(d: Dialect): string[] {
  const { digest, real, json } = d.types;
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
      walltime ${real},
      result_check INTEGER,
      record_check INTEGER,
      arguments ${json} NOT NULL DEFAULT '[]',
      metadata ${json} NOT NULL DEFAULT '{}'
    )`,
    CALLS_NAME_INDEX,
    "CREATE INDEX calls_timestop ON calls (timestop)",
    ...argumentIndex(d),
    `INSERT INTO fleche_schema (id, version) VALUES (1, ${SCHEMA_VERSION})`,
  ];
}

/**
 * The `arguments` table of version 6: the index of argument queries, one row per (name, digest, call),
 * nothing else (a record's arguments are read from `calls.arguments`). Its primary key is the index
 * `WHERE name = ? AND value ...` walks, so no second B-tree is kept; without one on `call_key` no
 * foreign key can cascade, so triggers on `calls` keep it instead: rows are added from the JSON column
 * on insert, removed by their full primary key (one lookup each) on delete, and both when an update
 * changes the column. Measured against the same statements issued by the store (issue 16): the same
 * pages written, the same time, and no write path (eviction, verify's repair, gc, a hand edit) can
 * forget them. A column that is not a JSON array of pairs indexes nothing rather than failing the
 * write; should a deleted row's column not be JSON at all, its index rows are found by a scan.
 */
function argumentIndex(d: Dialect): string[] {
  const { digest, withoutRowid } = d.types;
  const table = `CREATE TABLE arguments (
      name TEXT NOT NULL,
      value ${digest} NOT NULL,
      call_key ${digest} NOT NULL,
      PRIMARY KEY (name, value, call_key)
    )${withoutRowid}`;
  if (d.name === "sqlite") {
    // Elements that are not arrays are skipped (`->>` would fail on a bare string); a pair missing a part
    // gives a NULL, which `INSERT OR IGNORE` skips (NOT NULL) and `IN` never matches.
    const pairs = (row: "NEW" | "OLD") =>
      `SELECT e.value ->> 0, e.value ->> 1, ${row}.key FROM json_each(CASE WHEN json_valid(${row}.arguments) THEN ${row}.arguments END) e
        WHERE e.type = 'array'`;
    const add = `INSERT OR IGNORE INTO arguments (name, value, call_key) ${pairs("NEW")};`;
    const drop = `DELETE FROM arguments WHERE (name, value, call_key) IN (${pairs("OLD")});`;
    return [
      table,
      `CREATE TRIGGER calls_arguments_insert AFTER INSERT ON calls BEGIN ${add} END`,
      `CREATE TRIGGER calls_arguments_delete AFTER DELETE ON calls BEGIN ${drop} END`,
      `CREATE TRIGGER calls_arguments_delete_unreadable AFTER DELETE ON calls WHEN NOT json_valid(OLD.arguments)
        BEGIN DELETE FROM arguments WHERE call_key = OLD.key; END`,
      `CREATE TRIGGER calls_arguments_update AFTER UPDATE OF key, arguments ON calls
        WHEN OLD.key IS NOT NEW.key OR OLD.arguments IS NOT NEW.arguments
        BEGIN ${drop} ${add} END`,
    ];
  }
  const pairs = (row: "NEW" | "OLD") =>
    `jsonb_array_elements(CASE WHEN jsonb_typeof(${row}.arguments) = 'array' THEN ${row}.arguments ELSE '[]' END) e
        WHERE jsonb_typeof(e) = 'array' AND e ->> 0 IS NOT NULL AND e ->> 1 IS NOT NULL`;
  return [
    table,
    `CREATE FUNCTION fleche_arguments_index() RETURNS trigger LANGUAGE plpgsql AS $body$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          DELETE FROM arguments a USING ${pairs("OLD")} AND a.name = e ->> 0 AND a.value = e ->> 1 AND a.call_key = OLD.key;
        END IF;
        IF TG_OP <> 'DELETE' THEN
          INSERT INTO arguments (name, value, call_key) SELECT e ->> 0, e ->> 1, NEW.key FROM ${pairs("NEW")} ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END $body$`,
    "CREATE TRIGGER calls_arguments_insert_delete AFTER INSERT OR DELETE ON calls FOR EACH ROW EXECUTE FUNCTION fleche_arguments_index()",
    `CREATE TRIGGER calls_arguments_update AFTER UPDATE OF key, arguments ON calls FOR EACH ROW
      WHEN (OLD.key IS DISTINCT FROM NEW.key OR OLD.arguments IS DISTINCT FROM NEW.arguments) EXECUTE FUNCTION fleche_arguments_index()`,
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
    5: recordsInCalls(d),
  };
  const out: string[] = [];
  for (let v = from; v < SCHEMA_VERSION; v++) out.push(...(steps[v] ?? []));
  out.push(`UPDATE fleche_schema SET version = ${SCHEMA_VERSION}`);
  return out;
}

/**
 * Version 5 → 6: each record's arguments (in position order) and metadata move into its `calls` row,
 * the old tables are dropped, and `arguments` is rebuilt as the index of version 6. SQLite splices each
 * namespace's stored JSON text unchanged (as version 5 read it), so every record reads back as before.
 */
function recordsInCalls(d: Dialect): string[] {
  const { json } = d.types;
  const fill =
    d.name === "sqlite"
      ? `UPDATE calls SET
           arguments = coalesce((SELECT json_group_array(json_array(a.name, a.value) ORDER BY a.position) FROM arguments a WHERE a.call_key = calls.key), '[]'),
           metadata = coalesce((SELECT '{' || group_concat(json_quote(m.namespace) || ':' || m.data, ',' ORDER BY m.namespace) || '}' FROM metadata m WHERE m.call_key = calls.key), '{}'),
           walltime = (SELECT json_extract(m.data, '$.walltime') FROM metadata m
             WHERE m.call_key = calls.key AND m.namespace = 'runtime' AND json_type(m.data, '$.walltime') IN ('integer', 'real'))`
      : `UPDATE calls c SET
           arguments = coalesce((SELECT jsonb_agg(jsonb_build_array(a.name, a.value) ORDER BY a.position) FROM arguments a WHERE a.call_key = c.key), '[]'),
           metadata = coalesce((SELECT jsonb_object_agg(m.namespace, m.data) FROM metadata m WHERE m.call_key = c.key), '{}'),
           walltime = (SELECT (m.data ->> 'walltime')::float8 FROM metadata m
             WHERE m.call_key = c.key AND m.namespace = 'runtime' AND jsonb_typeof(m.data -> 'walltime') = 'number')`;
  const index =
    d.name === "sqlite"
      ? `INSERT OR IGNORE INTO arguments (name, value, call_key)
           SELECT e.value ->> 0, e.value ->> 1, c.key FROM calls c, json_each(c.arguments) e`
      : `INSERT INTO arguments (name, value, call_key)
           SELECT e ->> 0, e ->> 1, c.key FROM calls c, jsonb_array_elements(c.arguments) e ON CONFLICT DO NOTHING`;
  const [indexTable, ...indexTriggers] = argumentIndex(d);
  return [
    `ALTER TABLE calls ADD COLUMN arguments ${json} NOT NULL DEFAULT '[]'`,
    `ALTER TABLE calls ADD COLUMN metadata ${json} NOT NULL DEFAULT '{}'`,
    `ALTER TABLE calls ADD COLUMN walltime ${d.types.real}`,
    fill,
    "DROP INDEX calls_name",
    CALLS_NAME_INDEX,
    "DROP TABLE arguments",
    "DROP TABLE metadata",
    indexTable!,
    index, // filled before its triggers exist: one pass over the rows, not one per row
    ...indexTriggers,
  ];
}

/** The message for a database written by a newer fleche. */
export function newerSchemaMessage(label: string, found: number): string {
  return `${label}: the database has schema version ${found}, newer than this fleche understands (${SCHEMA_VERSION}); upgrade fleche to use it (nothing was changed)`;
}

/** The message for a database with a `calls` table fleche did not create. */
export function foreignSchemaMessage(label: string): string {
  return `${label}: the database has a \`calls\` table but no fleche_schema version table; it was not created by this fleche (a Python fleche database?) and is left untouched`;
}
