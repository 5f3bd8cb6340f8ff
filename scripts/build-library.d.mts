/** Bundle the library into `outdir` (absolute, or relative to the repository). */
export function buildLibrary(outdir: string): Promise<void>;
