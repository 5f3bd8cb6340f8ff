/**
 * The config round trip both conformance suites run: `storeFromConfig(store.toConfig())` must build an
 * equal store. Equal means the same `type` and the same `toConfig()`; the suites add that a persistent
 * store (one with `reopen`) rebuilt this way reads what the original wrote, which is what equal settings
 * are for. Secrets are never in a config (FileStore writes `signed = true`, Sql drops a PostgreSQL
 * password): the rebuilt store gets them the way a user gives them, as `secrets` (FileStore's
 * `secret_key`) or from the environment (`FLECHE_SECRET_KEY`, `PGPASSWORD`). For a signed FileStore,
 * reading what the original wrote then also proves the keys are equal: other keys fail every check.
 */
import assert from "node:assert/strict";
import { registerBuiltinStores } from "../stores/builtin.js";
import { storeFromConfig, type StoreRole } from "../stores/registry.js";
import type { Store } from "../stores/types.js";

/** The store `store.toConfig()` (plus `secrets`) builds, checked to have the same type and config. */
export function rebuildFromConfig(store: Store, role: StoreRole, secrets: Readonly<Record<string, unknown>> = {}): Store {
  const config = store.toConfig();
  for (const secret of Object.keys(secrets)) assert.ok(!(secret in config), `toConfig() writes the secret \`${secret}\``);
  // Third-party stores register on import; the built-in ones only at the entry points, so make sure.
  registerBuiltinStores();
  // A copy, as a config file would be: the rebuilt store must not share objects with the original's config.
  const rebuilt = storeFromConfig({ ...structuredClone(config), ...secrets }, { role, origin: `conformance: ${store.type} ${role}` });
  assert.equal(rebuilt.type, store.type);
  assert.deepEqual(rebuilt.toConfig(), config, "the rebuilt store describes itself as the original does");
  return rebuilt;
}
