/**
 * The code blocks of README.md and docs/*.md, as the snippets test runs them: every ```ts, ```js and
 * ```mjs block, unless the line before it is `<!-- not run: reason -->` (a block that needs a server or
 * stands for a shape, not a program). Imports of `fleche`, `fleche/store-kit` and `fleche/testing` are
 * pointed at this checkout's sources; nothing else in a block is changed.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** One code block. */
export interface Snippet {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: "ts" | "js";
  readonly code: string;
  /** The reason given in a `<!-- not run: … -->` marker, when the block is not run. */
  readonly notRun?: string;
}

const FENCE = /^```(ts|typescript|js|javascript|mjs)\s*$/;
const NOT_RUN = /^<!--\s*not run:\s*(.+?)\s*-->\s*$/;

/** Every code block of the markdown files under `repo` (README.md and docs/*.md). */
export function snippets(repo: string): Snippet[] {
  const files = ["README.md", ...readdirSync(join(repo, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f))];
  const out: Snippet[] = [];
  for (const file of files) {
    const lines = readFileSync(join(repo, file), "utf8").split("\n");
    for (let i = 0; i < lines.length; i++) {
      const open = FENCE.exec(lines[i]!);
      if (!open) continue;
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
      const marker = start > 0 ? NOT_RUN.exec(lines[start - 1]!) : null;
      const lang = open[1]!.startsWith("t") ? "ts" : "js";
      out.push({ file, line: start + 1, lang, code: body.join("\n"), ...(marker ? { notRun: marker[1]! } : {}) });
    }
  }
  return out;
}

/** The block with its `fleche` imports pointed at the sources under `repo`. */
export function runnable(snippet: Snippet, repo: string): string {
  const entry = (name: string) => pathToFileURL(join(repo, "src", `${name}.ts`)).href;
  return snippet.code
    .replace(/from\s+"fleche\/store-kit"/g, `from "${entry("store-kit")}"`)
    .replace(/from\s+"fleche\/testing"/g, `from "${entry("testing")}"`)
    .replace(/from\s+"fleche"/g, `from "${entry("index")}"`);
}
