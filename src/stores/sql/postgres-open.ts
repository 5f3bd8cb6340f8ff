/**
 * PostgreSQL plumbing for the `Sql` store: loading `pg`, transactions on pooled clients, and creating or
 * upgrading the schema once across every process and machine (under an advisory lock).
 */
import type { Pool, PoolClient } from "pg";
import { ConfigError } from "../../errors.js";
import { isConnectionError } from "./availability.js";
import { postgres } from "./dialect.js";
import { backfillPostgres } from "./backfill.js";
import { CHECKS_VERSION, createStatements, foreignSchemaMessage, migrationStatements, newerSchemaMessage, SCHEMA_VERSION } from "./schema.js";

/** Serialises schema changes between processes and machines (any constant; "fleche" in ASCII). */
const SCHEMA_LOCK = "112615743514725";

export type PgModule = typeof import("pg");

/** `pg`, loaded on first use, with a clear error when it is not installed. */
export async function loadPg(label: string): Promise<PgModule> {
  try {
    const mod = (await import("pg")) as PgModule & { default?: PgModule };
    return mod.default ?? mod;
  } catch (error) {
    throw new ConfigError(`${label}: PostgreSQL URLs need the optional package 'pg' (npm install pg): ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Run `body` in a transaction on one pooled client (rolled back on error). */
export async function transaction<T>(pool: Pool, body: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out client whose connection dies between queries emits "error"; never let it go unhandled.
  const onError = (): void => {};
  client.on("error", onError);
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await body(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    if (isConnectionError(error)) broken = error as Error;
    throw error;
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}

/** Create or upgrade the schema; cheap when it is current (one read, no lock). */
export async function migrate(pool: Pool, label: string): Promise<void> {
  const current = await pool.query("SELECT version FROM fleche_schema WHERE id = 1").then(
    (r) => r.rows[0]?.version as number | undefined,
    (error: { code?: string }) => {
      if (error.code === "42P01") return undefined; // no version table yet
      throw error;
    },
  );
  if (current === SCHEMA_VERSION) return;
  if (current !== undefined && current > SCHEMA_VERSION) throw new ConfigError(newerSchemaMessage(label, current));
  await transaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK})`);
    const tables = (
      await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('fleche_schema', 'calls')",
      )
    ).rows.map((r) => r.table_name);
    let version = 0;
    if (tables.includes("fleche_schema")) {
      const found = (await client.query("SELECT version FROM fleche_schema WHERE id = 1")).rows[0]?.version as number | undefined;
      if (found === undefined) throw new ConfigError(`${label}: the fleche_schema table holds no version (nothing was changed)`);
      if (found > SCHEMA_VERSION) throw new ConfigError(newerSchemaMessage(label, found));
      version = found;
    } else if (tables.includes("calls")) {
      throw new ConfigError(foreignSchemaMessage(label));
    }
    if (version === SCHEMA_VERSION) return;
    for (const sql of version === 0 ? createStatements(postgres) : migrationStatements(postgres, version)) await client.query(sql);
    if (version > 0 && version < CHECKS_VERSION) await backfillPostgres(client);
  });
}
