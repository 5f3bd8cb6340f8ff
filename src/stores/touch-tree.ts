/**
 * Touching a value with its parts: a destructured value is an entry that names other entries, and a
 * record that refers to it needs every one of them. Stores that split values implement `touchValue`
 * with this walk (see docs/gc.md): each entry is touched before its header is read, so a part is
 * touched after the entry that names it, and all of them within the walk.
 */
import { isPromise, type MaybePromise } from "../maybe.js";

/** How a store touches one entry and reads the keys of its parts. */
export interface TreeOps {
  /** Refresh one entry; false when it is absent. */
  touch(key: string): MaybePromise<boolean>;
  /** The keys of the entries `key` is assembled from; undefined when it cannot be read (treated as absent). */
  children(key: string): MaybePromise<readonly string[] | undefined>;
}

/** Touch `key` and, transitively, its parts (each once). False as soon as one of them is absent or unreadable. */
export function touchTree(key: string, ops: TreeOps): MaybePromise<boolean> {
  const seen = new Set<string>([key]);
  const queue = [key];
  const step = (): MaybePromise<boolean> => {
    while (queue.length) {
      const next = queue.pop()!;
      const touched = ops.touch(next);
      if (isPromise(touched)) return touched.then((ok) => (ok ? withChildren(next) : false));
      if (!touched) return false;
      const children = ops.children(next);
      if (isPromise(children)) return children.then((c) => (enqueue(c) ? step() : false));
      if (!enqueue(children)) return false;
    }
    return true;
  };
  const withChildren = (entry: string): MaybePromise<boolean> => {
    const children = ops.children(entry);
    if (isPromise(children)) return children.then((c) => (enqueue(c) ? step() : false));
    return enqueue(children) ? step() : false;
  };
  const enqueue = (children: readonly string[] | undefined): boolean => {
    if (children === undefined) return false;
    for (const child of children) {
      if (seen.has(child)) continue;
      seen.add(child);
      queue.push(child);
    }
    return true;
  };
  return step();
}
