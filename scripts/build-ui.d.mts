/** Bundle the UI's browser files into `outdir` (default dist/web); resolves to the directory. */
export function buildUi(outdir?: string): Promise<string>;
