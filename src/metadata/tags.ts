/** `Tags`: free-form labels recorded with every call made while they are active (queryable). */
import type { JsonValue } from "../call-record.js";
import { describedAs } from "./description.js";
import type { MetadataProvider } from "./provider.js";

/** Creates a provider recording `tags` (JSON values) under the `tags` namespace. */
export function Tags(tags: Readonly<Record<string, JsonValue>>): MetadataProvider {
  const frozen = structuredClone(tags);
  return describedAs({ name: "tags", pre: () => structuredClone(frozen) }, { type: "Tags", tags: frozen });
}
