/**
 * PostgreSQL for tests. `FLECHE_TEST_POSTGRES_URL` (CI starts a server with `.ci/postgres.sh`) is used
 * when set; otherwise a throwaway cluster is started here, through the same script on a free port and a
 * temporary directory, and stopped when the process exits. Tests that stop and restart the server get a
 * cluster of their own ({@link startCluster}), never the shared one.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./port.js";
import { fileURLToPath } from "node:url";
import pg from "pg";

const SCRIPT = fileURLToPath(new URL("../../.ci/postgres.sh", import.meta.url));

/** A PostgreSQL cluster started by a test process. */
export interface Cluster {
  /** URL of its `fleche_test` database. */
  readonly url: string;
  readonly port: number;
  /** Stop the server (fast shutdown: open connections are cut). */
  stop(): void;
  /** Start it again on the same port and data directory. */
  start(): void;
  /** Stop it for good and delete its files. */
  destroy(): void;
}

/** The directory of the newest installed PostgreSQL binaries, or undefined. */
export function postgresBin(): string | undefined {
  try {
    const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(a) - Number(b));
    const newest = versions[versions.length - 1];
    return newest === undefined ? undefined : `/usr/lib/postgresql/${newest}/bin`;
  } catch {
    return undefined;
  }
}

/** PostgreSQL refuses to run as root; as root the server commands run as the `postgres` user. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
}

/** Start a cluster of our own (via .ci/postgres.sh), stopped and deleted when the process exits. */
export async function startCluster(): Promise<Cluster> {
  const bin = postgresBin();
  if (!bin) throw new Error("PostgreSQL is not installed (apt-get install postgresql, as .ci/run does)");
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "fleche-pg-"));
  const out = execFileSync("bash", [SCRIPT], { env: { ...process.env, FLECHE_PG_PORT: String(port), FLECHE_PG_DIR: dir }, encoding: "utf8" });
  const url = /FLECHE_TEST_POSTGRES_URL=(\S+)/.exec(out)?.[1];
  if (!url) throw new Error(`.ci/postgres.sh printed no URL: ${out}`);
  const pgCtl = (...args: string[]) => {
    const [command, argv] = asPostgres(`${bin}/pg_ctl`, ["-D", `${dir}/data`, ...args]);
    const result = spawnSync(command, argv, { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`pg_ctl ${args.join(" ")} failed: ${result.stderr || result.stdout}`);
  };
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=200`;
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    try {
      pgCtl("stop", "-m", "immediate");
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", destroy);
  return {
    url,
    port,
    stop: () => pgCtl("stop", "-m", "fast", "-w"),
    start: () => pgCtl("start", "-w", "-l", `${dir}/log`, "-o", options),
    destroy,
  };
}

let shared: Promise<string> | undefined;

/** The URL of the shared test server's database: the CI one, or a cluster started for this process. */
export function postgresUrl(): Promise<string> {
  shared ??= process.env.FLECHE_TEST_POSTGRES_URL ? Promise.resolve(process.env.FLECHE_TEST_POSTGRES_URL) : startCluster().then((c) => c.url);
  return shared;
}

const created: { admin: string; name: string }[] = [];
let made = 0;

/** A new, empty database on the shared server (tests never see each other's rows); returns its URL. */
export async function freshDatabase(): Promise<string> {
  const name = `fleche_t_${process.pid}_${made++}_${Date.now() % 100000}`; // named before any await: concurrent calls never collide
  const admin = await postgresUrl();
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  created.push({ admin, name });
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drop the databases {@link freshDatabase} created (open connections are cut). */
export async function dropDatabases(): Promise<void> {
  for (const { admin, name } of created.splice(0)) {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }
}

/** Run SQL directly on a database (to inspect tables or plant old schemas). */
export async function onDatabase<T>(url: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}
