/**
 * Metadata providers that configuration can name (`[default] metadata = ["Runtime", "Git"]`). Providers
 * that need arguments (`Tags`) are not configurable by name.
 */
import { ConfigError } from "../errors.js";
import { Runtime } from "./runtime.js";
import { Environment } from "./environment.js";
import { Git } from "./git.js";
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
    return factory();
  });
}
