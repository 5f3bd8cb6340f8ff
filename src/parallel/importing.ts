/**
 * Whether this thread is importing the module of a task (the module that defines a function a task
 * names). Such a module runs its top-level code again in every worker; if that code starts a map (the
 * sweep script that also exports the function), the map would dispatch to new workers that import the
 * module again, without end. `f.map` refuses to start while a task's module is being imported.
 */
let depth = 0;

/** Import `url` as a task's module. */
export async function importTaskModule(url: string): Promise<Record<string, unknown>> {
  depth++;
  try {
    return (await import(url)) as Record<string, unknown>;
  } finally {
    depth--;
  }
}

/** True while a task's module is being imported in this thread. */
export function importingTaskModule(): boolean {
  return depth > 0;
}
