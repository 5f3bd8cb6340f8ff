/**
 * Parameter names and literal defaults of a function, read from its source with a real JavaScript parser
 * (acorn). Keys bind arguments by name, so `f(1, 2)` and a later refactor to `f(a = 1, b = 2)` called as
 * `f(1)` key the same. When the source cannot be parsed (native and bound functions), parameters are
 * positional: `"0"`, `"1"`, ….
 */
import { createRequire } from "node:module";
import type { Node } from "acorn";

/**
 * acorn, loaded on first need: most functions take the fast path below, and a process that only reads
 * its cache should not pay for loading a parser at start-up.
 */
let acorn: typeof import("acorn") | undefined;
function parser(): typeof import("acorn") {
  return (acorn ??= createRequire(import.meta.url)("acorn") as typeof import("acorn"));
}

/** What fleche knows about one declared parameter. */
export interface ParamInfo {
  /** The binding name, or the positional name (`"0"`, `"1"`, …) for destructuring patterns. */
  readonly name: string;
  /** True for a `...rest` parameter (always last). */
  readonly rest: boolean;
  /**
   * The default when it is a literal the key can use (`b = 10`, `opts = {}`); `"opaque"` for a default
   * that is an arbitrary expression (fleche cannot evaluate it, so an omitted argument is keyed as absent).
   */
  readonly fallback?: { readonly value: unknown } | "opaque";
}

/** The parsed signature of a function. */
export interface Signature {
  readonly params: readonly ParamInfo[];
  /** True when the body reads `this` (so the receiver must be part of the key). */
  readonly usesThis: boolean;
  /** False when the source could not be parsed and names are positional guesses. */
  readonly parsed: boolean;
}

type AnyNode = Node & Record<string, unknown>;

/** Parse `fn`'s source into a {@link Signature}. Never throws. */
export function readSignature(fn: Function): Signature {
  const source = Function.prototype.toString.call(fn);
  return simpleSignature(source) ?? parsedSignature(fn, source);
}

/** The signature as the real parser reads it (the fast path must always agree with this). */
export function parsedSignature(fn: Function, source = Function.prototype.toString.call(fn)): Signature {
  const node = parseFunction(source);
  if (!node) {
    const params = Array.from({ length: fn.length }, (_, i) => ({ name: String(i), rest: false }));
    return { params, usesThis: false, parsed: false };
  }
  const params = (node.params as AnyNode[]).map(describeParam);
  const usesThis = node.type !== "ArrowFunctionExpression" && mentionsThis(node.body as AnyNode);
  return { params, usesThis, parsed: true };
}

const IDENTIFIER = "[A-Za-z_$][\\w$]*";
const PARAMS = `\\s*(?:${IDENTIFIER}\\s*(?:,\\s*${IDENTIFIER}\\s*)*,?\\s*)?`;
/** Shapes whose parameter list is plain identifiers, so no parser is needed to read it exactly. */
const SIMPLE_SHAPES: readonly { pattern: RegExp; arrow: boolean }[] = [
  { pattern: new RegExp(`^(?:async\\s+)?function\\b\\s*\\*?\\s*(?:${IDENTIFIER})?\\s*\\((${PARAMS})\\)\\s*\\{`), arrow: false },
  { pattern: new RegExp(`^(?:async\\s*)?\\((${PARAMS})\\)\\s*=>`), arrow: true },
  { pattern: new RegExp(`^(?:async\\s+)?(${IDENTIFIER})\\s*=>`), arrow: true },
];

/**
 * The signature of the common simple case without a parser: a function, arrow or async function whose
 * parameters are plain identifiers (no defaults, patterns, rest or comments) and, unless it is an arrow,
 * whose source never mentions `this`. Anything else returns undefined and goes to the real parser.
 */
function simpleSignature(source: string): Signature | undefined {
  if (source.endsWith("[native code] }")) return undefined; // native and bound functions have no source
  for (const { pattern, arrow } of SIMPLE_SHAPES) {
    const match = pattern.exec(source);
    if (!match) continue;
    if (!arrow && /\bthis\b/.test(source)) return undefined; // maybe in a string; the parser decides
    const names = match[1]!.split(",").map((n) => n.trim()).filter((n) => n !== "");
    if (names.some((n) => RESERVED.has(n))) return undefined;
    return { params: names.map((name) => ({ name, rest: false })), usesThis: false, parsed: true };
  }
  return undefined;
}

/** Words an identifier pattern matches that cannot be parameter names (the parser reports those shapes). */
const RESERVED = new Set(["function", "async", "await", "yield", "this", "new", "return", "typeof", "void", "delete", "in", "of", "let", "static"]);

function parseFunction(source: string): AnyNode | undefined {
  const { parseExpressionAt } = parser();
  // Function expressions, declarations and arrows parse as an expression; method shorthand
  // (`add(a, b) { … }`, `async *gen() {}`) parses as the sole member of an object literal.
  for (const [before, after] of [["(", ")"], ["({", "})"]] as const) {
    try {
      const expr = parseExpressionAt(`${before}${source}${after}`, 0, { ecmaVersion: "latest" }) as AnyNode;
      const fn = expr.type === "ObjectExpression" ? ((expr.properties as AnyNode[])[0]?.value as AnyNode) : expr;
      if (fn && (fn.type === "FunctionExpression" || fn.type === "ArrowFunctionExpression")) return fn;
      return undefined;
    } catch {
      // try the next shape
    }
  }
  return undefined;
}

function describeParam(param: AnyNode, index: number): ParamInfo {
  if (param.type === "Identifier") return { name: param.name as string, rest: false };
  if (param.type === "RestElement") {
    const arg = param.argument as AnyNode;
    return { name: arg.type === "Identifier" ? (arg.name as string) : String(index), rest: true };
  }
  if (param.type === "AssignmentPattern") {
    const left = param.left as AnyNode;
    const name = left.type === "Identifier" ? (left.name as string) : String(index);
    const literal = evaluateLiteral(param.right as AnyNode);
    return { name, rest: false, fallback: literal ?? "opaque" };
  }
  return { name: String(index), rest: false };
}

const NOT_LITERAL = Symbol("not a literal");

/** The value of a literal default expression, or undefined when it is anything else. */
function evaluateLiteral(node: AnyNode): { value: unknown } | undefined {
  const value = literal(node);
  return value === NOT_LITERAL ? undefined : { value };
}

function literal(node: AnyNode): unknown {
  switch (node.type) {
    case "Literal":
      if (node.regex) return NOT_LITERAL;
      return node.bigint !== undefined ? BigInt(node.bigint as string) : node.value;
    case "Identifier":
      if (node.name === "undefined") return undefined;
      if (node.name === "NaN") return NaN;
      if (node.name === "Infinity") return Infinity;
      return NOT_LITERAL;
    case "UnaryExpression": {
      const arg = literal(node.argument as AnyNode);
      if (typeof arg !== "number" && typeof arg !== "bigint") return NOT_LITERAL;
      if (node.operator === "-") return -(arg as number);
      if (node.operator === "+" && typeof arg === "number") return arg;
      return NOT_LITERAL;
    }
    case "TemplateLiteral":
      if ((node.expressions as unknown[]).length > 0) return NOT_LITERAL;
      return (node.quasis as AnyNode[]).map((q) => (q.value as { cooked: string }).cooked).join("");
    case "ArrayExpression": {
      const out: unknown[] = [];
      for (const element of node.elements as (AnyNode | null)[]) {
        if (!element || element.type === "SpreadElement") return NOT_LITERAL;
        const v = literal(element);
        if (v === NOT_LITERAL) return NOT_LITERAL;
        out.push(v);
      }
      return out;
    }
    case "ObjectExpression": {
      const out: Record<string, unknown> = {};
      for (const prop of node.properties as AnyNode[]) {
        if (prop.type !== "Property" || prop.computed || prop.kind !== "init" || prop.method) return NOT_LITERAL;
        const key = prop.key as AnyNode;
        const name = key.type === "Identifier" ? (key.name as string) : String(key.value);
        const v = literal(prop.value as AnyNode);
        if (v === NOT_LITERAL) return NOT_LITERAL;
        out[name] = v;
      }
      return out;
    }
    default:
      return NOT_LITERAL;
  }
}

/** Does `node` read `this` outside nested non-arrow functions and classes (which rebind it)? */
function mentionsThis(node: AnyNode): boolean {
  if (node.type === "ThisExpression") return true;
  if (node.type === "FunctionExpression" || node.type === "FunctionDeclaration" || node.type === "ClassBody") {
    return false;
  }
  for (const key in node) {
    const child = node[key];
    if (Array.isArray(child)) {
      for (const c of child) if (isNode(c) && mentionsThis(c)) return true;
    } else if (isNode(child) && mentionsThis(child)) return true;
  }
  return false;
}

function isNode(value: unknown): value is AnyNode {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}
