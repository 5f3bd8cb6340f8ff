/**
 * `Runtime`, the default provider: when the call started and stopped (Unix seconds, sub-millisecond
 * precision), its wall time, and the CPU time the process spent meanwhile (user and system seconds;
 * process-wide, so concurrent calls bleed into each other's CPU figures, as in the original).
 */
import { describedAs } from "./description.js";
import type { MetadataFields, MetadataProvider } from "./provider.js";

/** Seconds since the Unix epoch, with the monotonic clock's precision. */
function now(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

/** Creates the runtime provider. */
export function Runtime(): MetadataProvider {
  return describedAs({
    name: "runtime",
    pre() {
      const cpu = process.cpuUsage();
      // cputime/systime hold the baseline here; post replaces them with the deltas.
      return { timestart: now(), cputime: cpu.user / 1e6, systime: cpu.system / 1e6 };
    },
    post(pre: MetadataFields) {
      const cpu = process.cpuUsage();
      const timestop = now();
      return {
        timestop,
        walltime: timestop - (pre.timestart as number),
        cputime: Math.max(0, cpu.user / 1e6 - (pre.cputime as number)),
        systime: Math.max(0, cpu.system / 1e6 - (pre.systime as number)),
      };
    },
  }, { type: "Runtime" });
}
