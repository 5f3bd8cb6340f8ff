/**
 * Metadata providers as JSON, so the active metadata can travel with a call to a worker thread or another
 * machine and be rebuilt there (`metadataFromDescription` in ./registry.ts). A provider is describable
 * when it was made by a built-in constructor (`Runtime()`, `Environment()`, `Git(options)`,
 * `Tags(values)`) or by a configurable name (`metadataFromNames`); any other provider object is opaque.
 */
import { FlecheError } from "../errors.js";
import type { JsonValue } from "../call-record.js";
import type { MetadataProvider } from "./provider.js";

/** One provider described: `{ type: "Runtime" }`, `{ type: "Git", options }`, `{ type: "Tags", tags }`. */
export interface ProviderDescription {
  readonly [key: string]: JsonValue;
  /** The configurable name (`Runtime`, `Git`, a name given to `registerMetadata`) or `Tags`. */
  readonly type: string;
}

const descriptions = new WeakMap<MetadataProvider, ProviderDescription>();

/** Record how `provider` is rebuilt elsewhere; returns it. */
export function describedAs<P extends MetadataProvider>(provider: P, description: ProviderDescription): P {
  descriptions.set(provider, description);
  return provider;
}

/** How `provider` is rebuilt elsewhere, or undefined when it cannot be. */
export function descriptionOf(provider: MetadataProvider): ProviderDescription | undefined {
  return descriptions.get(provider);
}

/**
 * The providers as JSON. Throws a `FLECHE_REMOTE` error naming the first provider that cannot be
 * described (a hand-made provider object): register it by name instead (`registerMetadata`).
 */
export function describeMetadata(providers: readonly MetadataProvider[]): ProviderDescription[] {
  return providers.map((provider) => {
    const description = descriptions.get(provider);
    if (description) return description;
    throw new FlecheError(
      `The metadata provider ${JSON.stringify(provider.name)} cannot travel to another thread or machine: it was not made by ` +
        `Runtime(), Environment(), Git(), Tags() or a configurable name. Register its factory with registerMetadata(name, factory) ` +
        `in a module the workers import, and activate it through metadataFromNames([name])`,
      "FLECHE_REMOTE",
    );
  });
}
