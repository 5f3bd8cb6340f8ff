/**
 * Metadata providers that configuration can name (`[default] metadata = ["Runtime", "Git"]`). Providers
 * that need arguments (`Tags`) are not configurable by name.
 */
import { ConfigError } from "../errors.js";
import { Runtime } from "./runtime.js";
import { Environment } from "./environment.js";
import { Git } from "./git.js";
import { Tags } from "./tags.js";
import { descriptionOf, describedAs, type ProviderDescription } from "./description.js";
import { FlecheError } from "../errors.js";
import type { JsonValue } from "../call-record.js";
import type { GitOptions } from "./git.js";
import type { MetadataProvider } from "./provider.js";

const factories = new Map<string, () => MetadataProvider>([
  ["Runtime", Runtime],
  ["Environment", Environment],
  ["Git", () => Git()],
]);

/** Make a provider configurable under `name` (PascalCase by convention). */
export function registerMetadata(name: string, factory: () => MetadataProvider): void {
  factories.set(name, factory);
}

/** The configurable provider names. */
export function metadataNames(): string[] {
  return [...factories.keys()].sort();
}

/** Build providers from their configured names; `origin` names the config in errors. */
export function metadataFromNames(names: readonly unknown[], origin = "metadata"): MetadataProvider[] {
  return names.map((name) => {
    const factory = typeof name === "string" ? factories.get(name) : undefined;
    if (!factory) {
      throw new ConfigError(
        `${origin}: unknown or non-configurable metadata type ${JSON.stringify(name)} (configurable: ${metadataNames().join(", ")})`,
      );
    }
    const provider = factory();
    // Described by its name, so it travels to workers (unless its constructor described it already).
    return descriptionOf(provider) ? provider : describedAs(provider, { type: name as string });
  });
}

/**
 * The providers a `describeMetadata` description stands for, built in this process. Names registered with
 * `registerMetadata` must be registered here too (in a module the worker imports); `origin` names the
 * sender in errors.
 */
export function metadataFromDescription(description: JsonValue, origin = "metadata description"): MetadataProvider[] {
  if (!Array.isArray(description)) throw new FlecheError(`${origin}: expected a list of metadata providers, got ${JSON.stringify(description)}`, "FLECHE_REMOTE");
  return description.map((entry) => {
    const { type, ...rest } = (entry ?? {}) as ProviderDescription;
    if (type === "Tags") return Tags(rest.tags as Record<string, JsonValue>);
    if (type === "Git") return Git(rest.options as GitOptions);
    const factory = typeof type === "string" ? factories.get(type) : undefined;
    if (!factory) {
      throw new FlecheError(
        `${origin}: metadata provider ${JSON.stringify(type)} is not registered in this process (registered: ${metadataNames().join(", ")}); ` +
          `call registerMetadata(${JSON.stringify(type)}, factory) in a module the worker imports`,
        "FLECHE_REMOTE",
      );
    }
    return describedAs(factory(), { type });
  });
}
