/**
 * `verify` for the `Sql` store: every `calls` row is read as a load would read it (the record and its
 * checksums, the hit path's result and inline values and their checksum) and reported when it is not
 * the record that was saved. With `repair` such rows are deleted (their argument index rows follow, by
 * trigger), unless a writer replaced the row meanwhile: the delete names the checksums it found.
 */
import { fromRow, resultFromColumns, type StoredRow } from "./rows.js";
import type { MetadataKeeping } from "./checks.js";
import type { VerifyReport } from "../types.js";

/** Rows read per statement. */
export const VERIFY_PAGE = 1000;

/** What is wrong with a stored row, or undefined when it loads as the record saved. */
export function rowProblem(row: StoredRow, keeping: MetadataKeeping): string | undefined {
  try {
    resultFromColumns(row.key, row.result, row.inline, row.result_check);
    fromRow(row, keeping);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A report being built. */
export class VerifyTally {
  checked = 0;
  removed = 0;
  readonly problems: { key: string; problem: string }[] = [];

  report(): VerifyReport {
    return { checked: this.checked, problems: this.problems, removed: this.removed };
  }
}
