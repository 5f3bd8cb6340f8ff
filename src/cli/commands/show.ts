/** `fleche show KEY`: one stored call in full, with its argument and result values. */
import { CacheMiss } from "../../errors.js";
import { openCache } from "../open.js";
import { detail } from "../output.js";

/** Options of `fleche show`. */
export interface ShowOptions {
  readonly cache?: string;
  readonly json?: boolean;
}

/** Print the call under `key` (a full key or an unambiguous prefix). */
export async function show(key: string, options: ShowOptions): Promise<void> {
  const call = await openCache(options.cache).load(key);
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
  for (const [namespace, fields] of Object.entries(call.metadata)) lines.push(`  ${namespace} ${indent(detail(fields))}`);
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
