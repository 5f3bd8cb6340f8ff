#!/usr/bin/env node
/**
 * The `fleche` command: look into caches and maintain them.
 *
 *   fleche ls [--cache NAME] [filters] [--limit N] [--json] [--in-progress]
 *   fleche show KEY [--cache NAME] [--json]
 *   fleche rm KEY... [--cache NAME] [--yes] [--dry-run]
 *   fleche evict [filters | --all] [--cache NAME] [--yes] [--dry-run]
 *   fleche gc [--cache NAME] [--dry-run] [--grace SECONDS]
 *   fleche transfer --from A --to B [--pop] [--overwrite] [--name F] [--allow-dangling]
 *   fleche verify [--cache NAME] [--repair] [--deep]
 *   fleche why NAME --args JSON [--version V] [--module M] | fleche why KEY   [--cache NAME] [--json]
 *   fleche stats [--cache NAME] [--json]
 *   fleche ui [--cache NAME] [--port N] [--host ADDRESS] [--token TOKEN] [--allow-evict]
 *   fleche config [--json]
 *   fleche stores [--json]
 *   fleche worker --queue NAME --import MODULE... [--redis URL] [--prefix P] [--concurrency N] [--threads] [--lock-duration SECONDS]
 *
 * `--values SPEC --calls SPEC` may stand for `--cache` (ls, show, rm, evict, gc, verify); the filters of
 * ls and evict are --name, --module, --version, --tag, --arg, --after and --before (filters.ts).
 *
 * Global options (before the command): `--config FILE` (an extra config file, closest of all), `--import MODULE` (load a
 * plugin first, e.g. one that registers a store type). Exit codes: 0 done, 1 problems found (verify) or
 * failed, 2 bad usage or configuration. See docs/cli.md.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ConfigError, FlecheError } from "../errors.js";
import { prepare, type GlobalOptions } from "./open.js";
import { ls } from "./commands/ls.js";
import { inProgress } from "./commands/in-progress.js";
import { show } from "./commands/show.js";
import { evict, rm } from "./commands/evict.js";
import { gc } from "./commands/gc.js";
import { transfer } from "./commands/transfer.js";
import { verify } from "./commands/verify.js";
import { config } from "./commands/config.js";
import { why } from "./commands/why.js";
import { stats } from "./commands/stats.js";
import { ui } from "./commands/ui.js";
import { storeTypesCommand } from "./commands/store-types.js";
import { worker } from "./commands/worker.js";
import { registerBuiltinStores } from "../stores/builtin.js";
import { flechePackage } from "../package-root.js";

// An entry point: the built-in store types are registered here, before any config is read (plugins
// loaded with `--import` may add more), not as a side effect of importing the config builder.
registerBuiltinStores();

const program = new Command("fleche")
  .description("Look into fleche caches and maintain them.")
  .version(flechePackage()?.version ?? "unknown", "-V, --version", "print fleche's version")
  // Global options go before the command, so that commands may have options of the same name (`ls --version 2`).
  .enablePositionalOptions()
  .option("--config <file>", "an extra configuration file (TOML, JSON or a JS module exporting defineConfig(...)), closest of all")
  .option("--import <module>", "load a module first, e.g. a plugin that registers a store type (repeatable)", collect, [] as string[])
  .showHelpAfterError("(fleche --help lists the commands and options)")
  .exitOverride();

/** Run a command's action after the global preparation, turning known errors into exit codes. */
function run<A extends unknown[]>(action: (...args: A) => Promise<number | void> | number | void) {
  return async (...args: A): Promise<void> => {
    await prepare(program.opts<GlobalOptions>());
    const code = await action(...args);
    if (typeof code === "number") process.exitCode = code;
  };
}

const cacheOption = () => new Option("--cache <name>", "the cache to use (default: the configured default cache)");

/** `--values`/`--calls`: a cache no configuration describes, by its stores (see store-spec.ts). */
function withStoreOptions(command: Command): Command {
  return command
    .option("--values <dir|url>", "the value store: a directory (FileStore), a SQLite file or a database URL; instead of --cache")
    .option("--calls <dir|url>", "the call store, as --values (either alone serves both roles)");
}

/** The call filters of `ls` and `evict` (see filters.ts). */
function withFilterOptions(command: Command): Command {
  return command
    .option("--name <function>", "only calls of this function")
    .option("--module <module>", "only calls of functions in this module (as the module column shows it in full with --json)")
    .option("--version <version>", "only calls of this function version (JSON: 2 is a number, '\"2\"' a string)")
    .option("--tag <name=value>", "only calls with this tag (repeatable; the value is JSON when it parses, else a string)", collect, [] as string[])
    .option("--arg <name=value>", "only calls with this argument value, by content (repeatable; JSON when it parses, else a string)", collect, [] as string[])
    .option("--after <date>", "only calls that finished at or after this date (2026-12-01, 2026-12-01T14:30, or Unix seconds)")
    .option("--before <date>", "only calls that finished before this date");
}

withFilterOptions(withStoreOptions(program.command("ls")))
  .description("list stored calls, newest first (reads call records only)")
  .addOption(cacheOption())
  .option("--limit <n>", "show at most n calls", positiveInteger)
  .option("--json", "print the call records as JSON")
  .addOption(
    new Option("--in-progress", "list the calls being computed now (the leases held: key, host, pid, since, expires) instead").conflicts(["name", "limit"]),
  )
  .action(run((options) => (options.inProgress ? inProgress(options) : ls(options))));

withStoreOptions(program.command("show"))
  .description("show one stored call with its argument and result values")
  .argument("<key>", "the call's key or an unambiguous prefix of it")
  .addOption(cacheOption())
  .option("--json", "print the call record as JSON")
  .action(run((key: string, options) => show(key, options)));

withStoreOptions(program.command("rm"))
  .description("remove the calls under these keys (values stay until gc); shows them and asks first")
  .argument("<keys...>", "call keys or unambiguous prefixes of them")
  .addOption(cacheOption())
  .option("-y, --yes", "remove without asking")
  .option("--dry-run", "show what would be removed, remove nothing")
  .action(run((keys: string[], options) => rm(keys, options)));

withFilterOptions(withStoreOptions(program.command("evict")))
  .description("remove the calls the filters select (as ls takes them; values stay until gc); shows them and asks first")
  .addOption(cacheOption())
  .option("--all", "select every call (needed when no filter is given)")
  .option("-y, --yes", "remove without asking")
  .option("--dry-run", "show what would be removed, remove nothing")
  .action(run((options) => evict(options)));

withStoreOptions(program.command("gc"))
  .description("remove values that no call record refers to")
  .addOption(cacheOption())
  .option("--dry-run", "list what would be removed, remove nothing")
  .option("--grace <seconds>", "spare values written or reused less than this long before the pass (default 600)", nonNegativeNumber)
  .action(run((options) => gc(options)));

withFilterOptions(program.command("transfer"))
  .description("copy stored calls from one cache to another")
  .requiredOption("--from <name|dir|url>", "the source cache: a configured name, or a directory or database URL (as --values)")
  .requiredOption("--to <name|dir|url>", "the target cache: a configured name, or a directory or database URL")
  .option("--pop", "remove each transferred call from the source (a move)")
  .option("--overwrite", "replace calls the target already holds")
  .option("--allow-dangling", "also copy calls whose argument values are missing at the source (as digest-only references)")
  .action(run((options) => transfer(options)));

withStoreOptions(program.command("verify"))
  .description("check every entry of the cache's stores (checksums, signatures, envelopes, leftovers) and that every value a call record names is stored")
  .addOption(cacheOption())
  .option("--repair", "remove corrupt entries, leftover temporary files and expired leases; re-link or remove records with dangling references")
  .option("--deep", "also re-hash every value against its key (reads and decodes every value)")
  .action(run((options) => verify(options)));

withStoreOptions(program.command("why"))
  .description("why a call missed: compare it with the nearest stored calls of its function")
  .argument("<target>", "a function name (with --args), or the key (or a prefix) of a stored call")
  .addOption(cacheOption())
  .option("--args <json>", "the call's argument values by parameter name, as a JSON object")
  .option("--version <version>", "the function's version, to compare it too (JSON: 2 is a number, '\"2\"' a string)")
  .option("--module <module>", "the function's module, to compare it too")
  .option("--json", "print the report as JSON")
  .action(run((target: string, options) => why(target, options)));

withStoreOptions(program.command("stats"))
  .description("per function: calls, bytes of values (own and shared), oldest and newest, runtimes; per store: entries and bytes")
  .addOption(cacheOption())
  .option("--json", "print the statistics as JSON")
  .action(run((options) => stats(options)));

withStoreOptions(program.command("ui"))
  .description("serve a local web app over the cache: functions, calls with filters, one call in full with its nearest neighbour, plots")
  .addOption(cacheOption())
  .option("--port <n>", "the port (0: any free one; default 8770)", port)
  .option("--host <address>", "the address to bind (default 127.0.0.1; any other needs a token)")
  .option("--token <token>", "the token requests must carry (generated when binding a non-loopback address)")
  .option("--allow-evict", "allow removing calls from the UI (read-only otherwise)")
  .action(run((options) => ui(options)));

program
  .command("config")
  .description("print the resolved configuration and which file each part came from")
  .option("--json", "print it as JSON")
  .action(run((options) => config(options)));

program
  .command("stores")
  .description("list the store types config files can name, with their roles and options")
  .option("--json", "print them as JSON")
  .action(run((options) => storeTypesCommand(options)));

program
  .command("worker")
  .description("run the calls that maps on jobQueue({ queue: NAME }) send, until interrupted (docs/parallel.md)")
  .requiredOption("--queue <name>", "the queue to take jobs from")
  .option("--import <module>", "a module exporting the wrapped functions the jobs call (repeatable)", collect, [] as string[])
  .option("--redis <url>", "the Redis server (default redis://127.0.0.1:6379)")
  .option("--prefix <prefix>", "the prefix of the queue's Redis keys (default fleche; as jobQueue's `prefix`)")
  .option("--concurrency <n>", "how many jobs this process runs at once (default 1)", positiveInteger)
  .option("--threads", "run each job in a worker thread (CPU-bound bodies in parallel, up to --concurrency)")
  .option("--lock-duration <seconds>", "how long a job stays with a worker that stopped (killed, crashed) before another takes it over (default 30)", positiveNumber)
  .action(run((options) => worker(options)));

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number ≥ 1");
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("expected a port number from 0 to 65535");
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a number of seconds > 0");
  return n;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("expected a number of seconds ≥ 0");
  return n;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; usage errors were already printed by commander.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof ConfigError) {
    process.stderr.write(`fleche: ${error.message}\n`);
    process.exitCode = 2;
  } else if (error instanceof FlecheError) {
    process.stderr.write(`fleche: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
