/** `fleche show KEY`: one stored call in full, with its argument and result values. */
import { CacheMiss } from "../../errors.js";
import { openCache, type CacheSelection } from "../open.js";
import { detail, duration, localTime } from "../output.js";

/** Options of `fleche show`. */
export interface ShowOptions extends CacheSelection {
  readonly json?: boolean;
}

/** Print the call under `key` (a full key or an unambiguous prefix). */
export async function show(key: string, options: ShowOptions): Promise<void> {
  const call = await openCache(options).load(key);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(call.record, null, 2)}\n`);
    return;
  }
  const lines = [
    `key        ${call.key}`,
    `name       ${call.name}`,
    `module     ${call.module ?? "-"}`,
    `version    ${call.version ?? "-"}`,
    `code       ${call.codeDigest ?? "-"}`,
    "arguments",
  ];
  for (const [name, digest] of Object.entries(call.argumentDigests)) {
    lines.push(`  ${name} = ${indent(await valueOf(() => call.argument(name)))}    #${digest}`);
  }
  lines.push(`result     ${call.resultDigest === null ? "(pending)" : `${indent(await valueOf(() => call.result()))}    #${call.resultDigest}`}`);
  lines.push("metadata");
  for (const [namespace, fields] of Object.entries(call.metadata)) lines.push(`  ${namespace} ${indent(detail(namespace === "runtime" ? readableRuntime(fields) : fields))}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

async function valueOf(load: () => Promise<unknown>): Promise<string> {
  try {
    return detail(await load());
  } catch (error) {
    if (error instanceof CacheMiss) return "(not stored)";
    return `(unreadable: ${(error as Error).message})`;
  }
}

function indent(text: string): string {
  return text.replace(/\n/g, "\n    ");
}

/** Runtime metadata as `ls` shows it: times as local dates, the wall time as a duration (`--json` keeps the numbers). */
function readableRuntime(fields: unknown): unknown {
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) return fields;
  const out: Record<string, unknown> = { ...(fields as Record<string, unknown>) };
  for (const key of ["timestart", "timestop"]) if (typeof out[key] === "number") out[key] = localTime(out[key]);
  if (typeof out.walltime === "number") out.walltime = duration(out.walltime);
  return out;
}
