/**
 * `fleche stores`: the store types config files can name, with their roles and options, read from the
 * registered descriptors (built-in ones and those of plugins loaded with `--import`), so the list is
 * never out of date.
 */
import { storeDescriptors, storeTypes, type StoreDescriptor } from "../../stores/registry.js";

/** Options of `fleche stores`. */
export interface StoresCommandOptions {
  readonly json?: boolean;
}

/** What `--json` prints for one store type. */
interface StoreTypeInfo {
  readonly type: string;
  readonly roles?: readonly string[];
  readonly summary?: string;
  readonly options?: readonly { readonly name: string | null; readonly configName: string; readonly doc: string; readonly required: boolean; readonly secret: boolean }[];
}

/** Print the registered store types. */
export function storeTypesCommand(options: StoresCommandOptions): void {
  const described = new Map(storeDescriptors().map((d) => [d.type, d]));
  // Types registered by a bare factory have no descriptor: listed by name only.
  const infos = storeTypes().map((type) => {
    const d = described.get(type);
    return d ? infoOf(d) : { type };
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(infos, null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  for (const info of infos) {
    if (lines.length) lines.push("");
    if (!info.roles) {
      lines.push(`${info.type}  (registered without a descriptor: no description)`);
      continue;
    }
    lines.push(`${info.type}  (${info.roles.join(", ")}): ${info.summary}`);
    const width = Math.max(0, ...(info.options ?? []).map((o) => o.configName.length));
    for (const o of info.options ?? []) {
      const notes = [o.required ? "required" : "", o.secret ? "never written by toConfig()" : ""].filter(Boolean).join(", ");
      lines.push(`  ${o.configName.padEnd(width)}  ${o.doc}${notes ? ` [${notes}]` : ""}`);
    }
    if (!info.options?.length) lines.push("  (no options)");
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

function infoOf(d: StoreDescriptor): StoreTypeInfo {
  return {
    type: d.type,
    roles: d.roles,
    summary: d.summary,
    options: d.options.map((o) => ({ name: o.name ?? null, configName: o.configName, doc: o.doc, required: o.required ?? false, secret: o.secret ?? false })),
  };
}
