/**
 * No import cycles in `src/`. Every cycle makes the next change harder: modules in a circle load in an
 * order that depends on which one is imported first, and none of them can be understood or moved alone.
 * Reading the top-level files in order should retell the pipeline (wrapper → call → digest → cache →
 * stores), which only works when dependencies point one way.
 *
 * The graph is read from the source text, not from a bundler: static `import … from`, `export … from`,
 * side-effect `import "…"`, and `import("…")` with a literal relative specifier, `.js` specifiers
 * resolved to the `.ts` files beside them. **Type-only imports count**: `import type` is erased at run
 * time, but a circle of types is still a circle in the structure (one file cannot change without the
 * others), and `farm-studio look` draws those arrows too. Package imports are not followed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SRC = join(REPO, "src");

/** `import`/`export` clauses that end in `from "…"`, anchored at a line start so doc comments never match. */
const FROM = /^[ \t]*(?:import|export)(?:\s+type)?\s+(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?)?\s*from\s*["']([^"']+)["']/gm;
/** Side-effect imports: `import "./x.js";`. */
const BARE = /^[ \t]*import\s*["']([^"']+)["']/gm;
/** Dynamic imports of a literal specifier. */
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** The relative specifiers `text` imports. */
export function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const pattern of [FROM, BARE, DYNAMIC]) for (const match of text.matchAll(pattern)) found.push(match[1]!);
  return found.filter((s) => s.startsWith("."));
}

/** The `.ts` file a relative specifier names, or undefined when it names none (a test of its own below). */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, ".ts"), base, `${base}.ts`, join(base, "index.ts")];
  return candidates.find((c) => c.endsWith(".ts") && existsSync(c));
}

/** file (relative to the repository) → the files it imports. */
function importGraph(): { graph: Map<string, string[]>; unresolved: string[] } {
  const graph = new Map<string, string[]>();
  const unresolved: string[] = [];
  const files = readdirSync(SRC, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
  for (const file of files.map((f) => join(SRC, f)).sort()) {
    const targets = new Set<string>();
    for (const specifier of specifiers(readFileSync(file, "utf8"))) {
      const target = resolveSpecifier(file, specifier);
      if (target) targets.add(relative(REPO, target));
      else unresolved.push(`${relative(REPO, file)} → ${specifier}`);
    }
    graph.set(relative(REPO, file), [...targets].sort());
  }
  return { graph, unresolved };
}

/** One cycle per strongly connected component of more than one file (or a file importing itself). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm, iterative over the (small) graph's nodes, recursive over edges: src/ is shallow.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components.map((component) => cycleWithin(graph, new Set(component)));
}

/** A shortest cycle through the first file of a component, as the path a reader can follow. */
function cycleWithin(graph: ReadonlyMap<string, readonly string[]>, members: ReadonlySet<string>): string[] {
  const start = [...members].sort()[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const to of graph.get(queue[i]!) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let at = queue[i]!; at !== start; at = previous.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(to)) {
        previous.set(to, queue[i]!);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

describe("the import graph of src/", () => {
  const { graph, unresolved } = importGraph();

  it("is read: every relative import resolves to a file, and known arrows are there", () => {
    assert.deepEqual(unresolved, []);
    const edges = [...graph.values()].reduce((n, targets) => n + targets.length, 0);
    assert.ok(edges > 100, `only ${edges} imports found: the parser is missing some`);
    assert.ok(graph.get("src/config/build.ts")?.includes("src/cache.ts"), "a value import");
    assert.ok(graph.get("src/fleche.ts")?.includes("src/options.ts"), "a type-only import");
    assert.ok(graph.get("src/index.ts")?.includes("src/fleche.ts"), "a re-export");
  });

  it("has no cycles", () => {
    const cycles = findCycles(graph);
    assert.deepEqual(cycles.map((c) => c.join(" → ")), [], `import cycles in src/:\n${cycles.map((c) => `  ${c.join(" → ")}`).join("\n")}`);
  });

  it("config depends on the cache, never the reverse: importing cache.ts loads no config and no store", () => {
    // Stores register at the entry points (index.ts, the CLI), so a cache built in code loads only what it uses.
    const reached = new Set<string>();
    const pending = ["src/cache.ts"];
    while (pending.length) {
      const file = pending.pop()!;
      if (reached.has(file)) continue;
      reached.add(file);
      pending.push(...(graph.get(file) ?? []));
    }
    const forbidden = [...reached].filter((f) => /^src\/(config\/|stores\/(builtin|registry)\.ts|stores\/(file|hdf5|sql)\/)/.test(f));
    assert.deepEqual(forbidden, []);
  });

  it("finder: reports a cycle as a path, and nothing for a tree", () => {
    const looped = new Map([["a", ["b"]], ["b", ["c", "d"]], ["c", ["a"]], ["d", []], ["e", ["e"]]]);
    assert.deepEqual(findCycles(looped), [["a", "b", "c", "a"], ["e", "e"]]);
    assert.deepEqual(findCycles(new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]])), []);
    assert.deepEqual(
      specifiers('import type { A } from "./a.js";\nexport * from "./b.js";\nimport "./c.js";\n/** import x from "./no.js" */\nconst m = import("./d.js");\nimport { z } from "pkg";'),
      ["./a.js", "./b.js", "./c.js", "./d.js"],
    );
  });
});
