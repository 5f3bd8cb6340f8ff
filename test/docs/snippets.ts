/**
 * The code blocks of README.md and docs/*.md, as the snippets test runs them: every ```ts, ```js and
 * ```mjs block, unless the line before it is `<!-- not run: reason -->` (a block that stands for a shape
 * or a definition, not a program). A block after `<!-- run in: dir -->` runs from that directory of the
 * repository (its relative imports are the example files there); any other runs in an empty temporary
 * directory, where `<!-- with the block above as NAME -->` first writes the block above it (a config
 * file, a module it imports) as the file NAME. Imports of `fleche`, `fleche/store-kit` and `fleche/testing` are pointed at this checkout's
 * sources; nothing else in a block is changed.
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
  /** The repository directory given in a `<!-- run in: … -->` marker. */
  readonly runIn?: string;
  /** Files written next to the block first: name → content (the block above it, by a `with` marker). */
  readonly files?: Readonly<Record<string, string>>;
}

const FENCE = /^```(ts|typescript|js|javascript|mjs)\s*$/;
const NOT_RUN = /^<!--\s*not run:\s*(.+?)\s*-->\s*$/;
const RUN_IN = /^<!--\s*run in:\s*(.+?)\s*-->\s*$/;
const WITH = /^<!--\s*with the block above as\s*(.+?)\s*-->\s*$/;
const ANY_FENCE = /^```\S*\s*$/;

/** Every code block of the markdown files under `repo` (README.md and docs/*.md). */
export function snippets(repo: string): Snippet[] {
  const files = ["README.md", ...readdirSync(join(repo, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f))];
  const out: Snippet[] = [];
  for (const file of files) {
    const lines = readFileSync(join(repo, file), "utf8").split("\n");
    let previous = ""; // the content of the last fenced block of any language
    for (let i = 0; i < lines.length; i++) {
      const open = FENCE.exec(lines[i]!);
      if (!open) {
        if (ANY_FENCE.test(lines[i]!) && lines[i] !== "```") {
          const body: string[] = [];
          for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
          previous = body.join("\n");
        }
        continue;
      }
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
      const before = start > 0 ? lines[start - 1]! : "";
      const notRun = NOT_RUN.exec(before)?.[1];
      const runIn = RUN_IN.exec(before)?.[1];
      const withName = WITH.exec(before)?.[1];
      const lang = open[1]!.startsWith("t") ? "ts" : "js";
      const code = body.join("\n");
      out.push({
        file,
        line: start + 1,
        lang,
        code,
        ...(notRun ? { notRun } : {}),
        ...(runIn ? { runIn } : {}),
        ...(withName ? { files: { [withName]: previous } } : {}),
      });
      previous = code;
    }
  }
  return out;
}

/**
 * The block with its `fleche` imports pointed at this checkout: the TypeScript sources for `ts` blocks,
 * for JavaScript blocks the bundle under `jsBuild` (plain Node runs those, as a reader's `.mjs` file runs).
 */
export function runnable(snippet: Snippet, repo: string, jsBuild?: string): string {
  const entry = (name: string) =>
    snippet.lang === "js" && jsBuild ? pathToFileURL(join(jsBuild, `${name}.js`)).href : pathToFileURL(join(repo, "src", `${name}.ts`)).href;
  return snippet.code
    .replace(/from\s+"fleche\/store-kit"/g, `from "${entry("store-kit")}"`)
    .replace(/from\s+"fleche\/testing"/g, `from "${entry("testing")}"`)
    .replace(/from\s+"fleche"/g, `from "${entry("index")}"`);
}
