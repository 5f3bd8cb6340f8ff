/**
 * Upgrading a database to checksums (schema 3): every row present gets the checksums of what it holds,
 * computed here (SQL has no CRC-32 of our canonical JSON), page by page in key order, inside the upgrade's
 * transaction. A row that does not make a valid record keeps no record check (it stays a miss, as it
 * was); one whose result columns are malformed keeps no result check either.
 */
import type BetterSqlite3 from "better-sqlite3";
import type { PoolClient } from "pg";
import { recordCheck, resultCheck, type MetadataKeeping } from "./checks.js";
import { postgres, sqlite } from "./dialect.js";
import { recordOf, type StoredRow } from "./rows.js";

const PAGE = 1000;

/** The two checksums of a stored row, null where it cannot have one. */
export function checksOf(row: StoredRow, keeping: MetadataKeeping): [resultCheck: number | null, recordCheck: number | null] {
  const { result, inline } = row;
  const resultOk = (result === null || typeof result === "string") && (inline === null || typeof inline === "string");
  let record: number | null = null;
  try {
    record = recordCheck(recordOf(row), keeping, typeof inline === "string" ? inline : null);
  } catch {
    // unreadable before the upgrade: it stays unreadable
  }
  return [resultOk ? resultCheck(row.key, result, inline as string | null) : null, record];
}

export function backfillSqlite(db: BetterSqlite3.Database): void {
  const page = db.prepare(`SELECT ${sqlite.recordColumns} FROM calls c WHERE c.key > ? ORDER BY c.key LIMIT ${PAGE}`);
  const update = db.prepare("UPDATE calls SET result_check = ?, record_check = ? WHERE key = ?");
  for (let last = ""; ; ) {
    const rows = page.all(last) as StoredRow[];
    for (const row of rows) update.run(...checksOf(row, "sqlite"), row.key);
    if (rows.length < PAGE) return;
    last = rows[rows.length - 1]!.key;
  }
}

export async function backfillPostgres(client: PoolClient): Promise<void> {
  const page = `SELECT ${postgres.recordColumns} FROM calls c WHERE c.key > $1 ORDER BY c.key LIMIT ${PAGE}`;
  const update = `UPDATE calls c SET result_check = u.rc, record_check = u.kc
    FROM unnest($1::text[], $2::int[], $3::int[]) AS u(key, rc, kc) WHERE c.key = u.key`;
  for (let last = ""; ; ) {
    const rows = (await client.query(page, [last])).rows as StoredRow[];
    const checks = rows.map((row) => checksOf(row, "postgres"));
    await client.query(update, [rows.map((r) => r.key), checks.map((c) => c[0]), checks.map((c) => c[1])]);
    if (rows.length < PAGE) return;
    last = rows[rows.length - 1]!.key;
  }
}
