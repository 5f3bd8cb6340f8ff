/**
 * An internal switch for the benchmark only (never exported from the package): with `check` false,
 * readers skip the CRC-32 check values (signatures are still checked), so `bench/sections/20-file.ts`
 * can measure what the check costs in the same run. Files are written the same either way.
 */
export const integrity = { check: true };
