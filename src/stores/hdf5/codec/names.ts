/**
 * Object keys as HDF5 link names. A link name is a non-empty UTF-8 string without "/" that is not ".";
 * a JavaScript key can be anything, so the few keys HDF5 cannot take are percent-escaped:
 *
 * - `%` → `%25`, `/` → `%2F`, NUL → `%00`, a lone surrogate → `%uD800` (four hex digits);
 * - the empty key → `%` alone, and `.` → `%2E`.
 *
 * Every other key is its own name, so h5py users see `group["temperature"]`.
 */

const NEEDS_ESCAPE = /[%/\0\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The link name of an object key. */
export function memberName(key: string): string {
  if (key === "") return "%";
  if (key === ".") return "%2E";
  if (!NEEDS_ESCAPE.test(key)) return key;
  let out = "";
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    if (unit === 0x25) out += "%25";
    else if (unit === 0x2f) out += "%2F";
    else if (unit === 0) out += "%00";
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < key.length && isLowSurrogate(key.charCodeAt(i + 1))) {
      out += key[i]! + key[i + 1]!; // a proper pair is ordinary UTF-8
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) out += `%u${unit.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += key[i]!;
  }
  return out;
}

/** The object key of a link name written by {@link memberName}. */
export function keyOfMember(name: string): string {
  if (name === "%") return "";
  if (!name.includes("%")) return name;
  return name.replace(/%(u[0-9A-F]{4}|[0-9A-F]{2})/g, (_, code: string) =>
    String.fromCharCode(parseInt(code[0] === "u" ? code.slice(1) : code, 16)),
  );
}

/** True when `text` can be written as UTF-8 and read back unchanged (no lone surrogates, no NUL). */
export function isPlainText(text: string): boolean {
  return !text.includes("\0") && !LONE_SURROGATE.test(text);
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
