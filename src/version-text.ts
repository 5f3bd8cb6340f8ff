/**
 * Versions and tag values typed on a command line or in a URL: JSON when the text is a JSON number,
 * string or null (`2` is the number 2, `"2"` the string), the text itself otherwise (`v2`). A version
 * `1` and a version `"1"` are different versions, so the difference must be expressible.
 */
import type { Version } from "./call-record.js";

/** The version `text` stands for. */
export function parseVersionText(text: string): Version {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed === "string" || typeof parsed === "number") return parsed;
  } catch {
    // not JSON: a plain string such as v2
  }
  return text;
}
