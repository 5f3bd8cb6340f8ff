/** Issue 2's digest numbers: (c) 100 MB typed array vs raw SHA-256, (d) 10k small objects, call keys. */
import { benchDigest } from "../digest.js";
import { printTable } from "../harness.js";

export default async function digestSection(): Promise<void> {
  printTable("(c, d) digest throughput and small-value costs", await benchDigest());
}
