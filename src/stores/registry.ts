/**
 * The store registry: config `type` name → factory. A new store is one file that calls
 * {@link registerStore} plus one line in `registerBuiltinStores` (`stores/builtin.ts`); config files can
 * then name it.
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

/**
 * Builds a store from the snake_case options of its config table (without `type`). Factories must reject
 * unknown options with a `ConfigError` naming the option and `context.origin`.
 */
export type StoreFactory = (options: Readonly<Record<string, unknown>>, context: StoreContext) => Store;

/** A registered store kind. */
export interface StoreKind {
  readonly factory: StoreFactory;
  /** The roles the store can play; SQL stores, for example, are calls only. */
  readonly roles: readonly StoreRole[];
}

const kinds = new Map<string, StoreKind>();

/** Register (or replace) a store kind under a config `type` name. */
export function registerStore(type: string, factory: StoreFactory, roles: readonly StoreRole[] = ["values", "calls"]): void {
  kinds.set(type, { factory, roles });
}

/** The registered type names. */
export function storeTypes(): string[] {
  return [...kinds.keys()].sort();
}

/** Build the store a config table describes. */
export function storeFromConfig(config: StoreConfig | unknown, context: StoreContext): Store {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new ConfigError(`${context.origin}: a store must be a table with a \`type\`, got ${JSON.stringify(config)}`);
  }
  const { type, ...options } = config as Record<string, unknown>;
  if (typeof type !== "string") throw new ConfigError(`${context.origin}: the store table has no \`type\``);
  const kind = kinds.get(type);
  if (!kind) {
    throw new ConfigError(`${context.origin}: unknown store type '${type}' (known: ${storeTypes().join(", ")})`);
  }
  if (!kind.roles.includes(context.role)) {
    throw new ConfigError(`${context.origin}: a '${type}' store cannot hold ${context.role} (it holds ${kind.roles.join(" and ")} only)`);
  }
  return kind.factory(options, context);
}

/** Reject options a factory does not know, naming the first one. */
export function checkOptions(options: Readonly<Record<string, unknown>>, known: readonly string[], context: StoreContext, type: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ConfigError(
        `${context.origin}: unknown option \`${key}\` for a '${type}' store${didYouMean(key, known)} (known: ${known.join(", ") || "none"})`,
      );
    }
  }
}
