/**
 * Store descriptors: what a store type is in config files, declared once next to its class and read by
 * everything that needs it. The config builder turns a snake_case table into the store's camelCase options
 * through it, each store's `toConfig()` writes its table through it, the docs test checks the option
 * tables of docs/stores.md against it. Before, each store converted snake_case and checked keys by hand
 * in its own shape, and nothing kept the two directions (nor the docs) in step.
 *
 * A descriptor imports its class (to `create` it), so the class cannot import the descriptor without a
 * cycle: a store keeps its option list (a {@link StoreOptionTable}) in a file of its own that both import.
 */
import { ConfigError } from "../errors.js";
import { didYouMean } from "../known-keys.js";
import type { Store, StoreConfig } from "./types.js";

/** Which side of a cache a store is built for. */
export type StoreRole = "values" | "calls";

/** What a factory receives besides the options. */
export interface StoreContext {
  readonly role: StoreRole;
  /** Where the config came from, for messages ("fleche.toml [persistent] values"). */
  readonly origin: string;
}

/** One option of a store's config table. */
export interface StoreOption {
  /**
   * The option's name in TypeScript (camelCase), the key `create` receives and `toConfig` reads; absent
   * for options that exist in config only (FileStore's `signed`), which use `configName` as that key.
   */
  readonly name?: string;
  /** The key in config files (snake_case, as in the original). */
  readonly configName: string;
  /** One line for docs and the CLI. */
  readonly doc: string;
  /** Required in config: a table without it is a `ConfigError`. */
  readonly required?: boolean;
  /**
   * Never written by `toConfig()` (keys, passwords): a rebuilt store takes it from the environment or
   * from a config the user writes.
   */
  readonly secret?: boolean;
  /**
   * Check a config value (never `undefined`) and return what `create` receives. `where` names the option
   * and the config it came from, to begin error messages with ("fleche.toml [p] values: option `x` …").
   * @throws ConfigError
   */
  readonly parse: (value: unknown, where: string) => unknown;
  /**
   * The config value of a store setting, or `undefined` to leave the key out (a default that need not be
   * written). Without it the setting is written as it is.
   */
  readonly write?: (value: unknown) => unknown;
}

/** A store type's config table: its `type` and options, and how messages name an option. */
export interface StoreOptionTable {
  /** The config `type` name (`"file"`), equal to the store's `type` property. */
  readonly type: string;
  readonly options: readonly StoreOption[];
  /**
   * How errors name an option (default: "`<origin>`: option \`x\` of a '`<type>`' store"). Stores whose
   * messages were worded otherwise before descriptors existed keep their wording through this.
   */
  readonly label?: (origin: string, configName: string) => string;
}

/**
 * A store type as config files, the CLI and the docs see it. Register it with `registerStore(descriptor)`;
 * config tables `{ type = "<type>", ... }` then build stores with `create`.
 */
export interface StoreDescriptor<S extends Store = Store> extends StoreOptionTable {
  /** The roles the store can play (`["values", "calls"]` for most; a store of records only lists `"calls"`). */
  readonly roles: readonly StoreRole[];
  /** One line for the CLI and the docs. */
  readonly summary: string;
  /**
   * Build a store from its parsed options, keyed by their TypeScript names (config-only options by their
   * config names); options absent from the table are absent here. Checks between options belong here.
   */
  create(options: Readonly<Record<string, unknown>>, context: StoreContext): S;
}

/** The key an option has in `create`'s options and in the settings `toConfig` writes. */
export function optionKey(option: StoreOption): string {
  return option.name ?? option.configName;
}

/**
 * The options of a config table (without `type`) as `create` receives them: unknown keys rejected,
 * required ones checked, each value parsed, snake_case names turned into camelCase ones.
 * @throws ConfigError naming the option and `origin`
 */
export function optionsFromConfig(table: StoreOptionTable, config: Readonly<Record<string, unknown>>, origin: string): Record<string, unknown> {
  const known = table.options.map((o) => o.configName);
  checkOptions(config, known, { origin }, table.type);
  const label = table.label ?? ((from: string, name: string) => `${from}: option \`${name}\` of a '${table.type}' store`);
  const options: Record<string, unknown> = {};
  for (const option of table.options) {
    const value = config[option.configName];
    if (value === undefined) {
      if (option.required) throw new ConfigError(`${origin}: a '${table.type}' store needs a \`${option.configName}\``);
      continue;
    }
    options[optionKey(option)] = option.parse(value, label(origin, option.configName));
  }
  return options;
}

/**
 * A store's config table from its settings (keyed as `create` receives them): what `toConfig()` returns.
 * Secrets and settings that `write` leaves out are not written. Stores write their config through this,
 * so the keys they write are the keys config files accept.
 */
export function configFromSettings(table: StoreOptionTable, settings: Readonly<Record<string, unknown>>): StoreConfig {
  const config: Record<string, unknown> = { type: table.type };
  for (const option of table.options) {
    if (option.secret) continue;
    const value = settings[optionKey(option)];
    const written = value === undefined ? undefined : option.write ? option.write(value) : value;
    if (written !== undefined) config[option.configName] = written;
  }
  return config as StoreConfig;
}

/** Reject options a store does not know, naming the first one (and a close known one, if any). */
export function checkOptions(options: Readonly<Record<string, unknown>>, known: readonly string[], context: Pick<StoreContext, "origin">, type: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ConfigError(
        `${context.origin}: unknown option \`${key}\` for a '${type}' store${didYouMean(key, known)} (known: ${known.join(", ") || "none"})`,
      );
    }
  }
}
