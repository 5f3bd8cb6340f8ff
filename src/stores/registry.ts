/**
 * The store registry: config `type` name → store descriptor. A new store is a descriptor next to its class
 * (`src/stores/file/descriptor.ts`) registered with {@link registerStore}, plus one line in
 * `registerBuiltinStores` (`stores/builtin.ts`) for the stores fleche ships; config files can then name it.
 */
import { didYouMean } from "../known-keys.js";
import { ConfigError } from "../errors.js";
import { optionsFromConfig, type StoreContext, type StoreDescriptor, type StoreRole } from "./descriptor.js";
import type { Store, StoreConfig } from "./types.js";

export { checkOptions, type StoreContext, type StoreDescriptor, type StoreRole } from "./descriptor.js";
export type { StoreOption, StoreOptionTable } from "./descriptor.js";

/**
 * Builds a store from the snake_case options of its config table (without `type`), for stores registered
 * without a descriptor. Such factories must reject unknown options with a `ConfigError` naming the
 * option and `context.origin` (`checkOptions` does).
 */
export type StoreFactory = (options: Readonly<Record<string, unknown>>, context: StoreContext) => Store;

/** A registered store kind: its descriptor, or (registered by a bare factory) its factory and roles. */
interface StoreKind {
  readonly build: StoreFactory;
  readonly roles: readonly StoreRole[];
  readonly descriptor?: StoreDescriptor;
}

const kinds = new Map<string, StoreKind>();

/**
 * Register (or replace) a store type. With a descriptor, config tables are checked and converted to
 * camelCase options generically from its option list before `create` sees them. The older form
 * `registerStore(type, factory, roles)` hands the factory the raw snake_case table; it stays for quick
 * test stores, but it gives the CLI and the docs nothing to describe.
 */
export function registerStore(descriptor: StoreDescriptor): void;
export function registerStore(type: string, factory: StoreFactory, roles?: readonly StoreRole[]): void;
export function registerStore(first: StoreDescriptor | string, factory?: StoreFactory, roles: readonly StoreRole[] = ["values", "calls"]): void {
  if (typeof first === "string") {
    if (!factory) throw new TypeError(`registerStore("${first}", factory): the factory is missing`);
    kinds.set(first, { build: factory, roles });
    return;
  }
  const descriptor = first;
  kinds.set(descriptor.type, {
    build: (options, context) => descriptor.create(optionsFromConfig(descriptor, options, context.origin), context),
    roles: descriptor.roles,
    descriptor,
  });
}

/** The registered type names. */
export function storeTypes(): string[] {
  return [...kinds.keys()].sort();
}

/** The descriptors of the registered types, by type name (stores registered by a bare factory have none). */
export function storeDescriptors(): StoreDescriptor[] {
  return storeTypes().flatMap((type) => kinds.get(type)?.descriptor ?? []);
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
    throw new ConfigError(`${context.origin}: unknown store type '${type}'${didYouMean(type, storeTypes())} (known: ${storeTypes().join(", ")})`);
  }
  if (!kind.roles.includes(context.role)) {
    throw new ConfigError(`${context.origin}: a '${type}' store cannot hold ${context.role} (it holds ${kind.roles.join(" and ")} only)`);
  }
  return kind.build(options, context);
}
