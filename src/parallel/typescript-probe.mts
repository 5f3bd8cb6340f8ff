/** Imported by ./worker-entry.mjs to learn whether this thread can import TypeScript (the type annotation is the test). */
export const probe: number = 1;
