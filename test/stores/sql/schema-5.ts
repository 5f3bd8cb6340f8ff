/**
 * Databases exactly as a schema-5 fleche wrote them, for upgrade tests: its statements verbatim (the
 * last version with `arguments` and `metadata` rows per call), and a record's rows as its save inserted
 * them (one `calls` row, one `arguments` row per parameter with its position, one `metadata` row per
 * namespace holding that namespace's JSON). Older versions are reached from here by the tests' own
 * steps back (dropping what later versions added).
 */
import Database from "better-sqlite3";
import { numbered } from "../../../src/stores/sql/dialect.js";
import { toRow } from "../../../src/stores/sql/rows.js";
import type { CallRecord } from "../../../src/call-record.js";
import { onDatabase } from "../../helpers/postgres.js";

type Kind = "sqlite" | "postgres";

/** The statements of schema 5's `createStatements`, for one dialect. */
export function schema5Statements(kind: Kind): string[] {
  const sqlite = kind === "sqlite";
  const digest = sqlite ? "TEXT" : 'TEXT COLLATE "C"';
  const real = sqlite ? "REAL" : "DOUBLE PRECISION";
  const json = sqlite ? "TEXT" : "JSONB";
  const withoutRowid = sqlite ? " WITHOUT ROWID" : "";
  const bytes = sqlite ? "BLOB" : "BYTEA";
  const time = sqlite ? "INTEGER" : "BIGINT";
  const instant = sqlite ? "INTEGER" : "TIMESTAMPTZ";
  return [
    "CREATE TABLE IF NOT EXISTS fleche_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
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
    ...(sqlite ? [] : ["ALTER TABLE value_entries ALTER COLUMN body SET STORAGE EXTERNAL"]),
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
    "INSERT INTO fleche_schema (id, version) VALUES (1, 5)",
  ];
}

/**
 * The statements (`?` placeholders) schema 5's save ran for a record. The `calls` columns and both
 * checksums are computed as they are today: they did not change from version 4 to 6.
 */
export function schema5Rows(record: CallRecord, kind: Kind): [sql: string, params: unknown[]][] {
  const c = toRow(record, kind);
  const data = kind === "sqlite" ? "?" : "?::jsonb";
  return [
    [
      "INSERT INTO calls (key, name, module, version, code_digest, result, inline, timestop, result_check, record_check) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      [c.key, c.name, c.module, c.version, c.code_digest, c.result, c.inline, c.timestop, c.result_check, c.record_check],
    ],
    ...Object.entries(record.arguments).map(([name, value], position): [string, unknown[]] => [
      "INSERT INTO arguments (call_key, position, name, value) VALUES (?, ?, ?, ?)",
      [record.key, position, name, value],
    ]),
    ...Object.entries(record.metadata).map(([ns, value]): [string, unknown[]] => [
      `INSERT INTO metadata (call_key, namespace, data) VALUES (?, ?, ${data})`,
      [record.key, ns, JSON.stringify(value)],
    ]),
  ];
}

/** A schema-5 SQLite file at `path` holding `records`. */
export function sqliteSchema5(path: string, records: readonly CallRecord[]): void {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.transaction(() => {
      for (const sql of schema5Statements("sqlite")) db.exec(sql);
      for (const record of records) for (const [sql, params] of schema5Rows(record, "sqlite")) db.prepare(sql).run(...params);
    })();
  } finally {
    db.close();
  }
}

/** A schema-5 PostgreSQL database at `url` (empty before) holding `records`. */
export async function postgresSchema5(url: string, records: readonly CallRecord[]): Promise<void> {
  await onDatabase(url, async (client) => {
    await client.query("BEGIN");
    for (const sql of schema5Statements("postgres")) await client.query(sql);
    for (const record of records) for (const [sql, params] of schema5Rows(record, "postgres")) await client.query(numbered(sql), params);
    await client.query("COMMIT");
  });
}
