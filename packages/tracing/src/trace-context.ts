/**
 * W3C Trace Context: the `traceparent` and `tracestate` headers, parsed strictly and written in
 * version 00 (W3C Trace Context Level 2, `spec/20-http_request_header_format.md` and
 * `spec/30-processing-model.md`; the cases handled are listed in docs/spans.md, "Propagation (W3C)").
 */

/** A parsed `traceparent`. */
export interface TraceParent {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** The caller's span: 16 lowercase hex digits, not all zero. */
  parentId: string;
  /** Bit 0 of the flags. */
  sampled: boolean;
  /** Bit 1 of the flags (Level 2 "random-trace-id"), carried unchanged when the trace continues. */
  random: boolean;
}

/** A header's value as Node's `IncomingHttpHeaders` or a plain record gives it. */
export type HeaderValue = string | readonly string[] | undefined;

const HEX = /^[0-9a-f]+$/;
const ZERO = /^0+$/;
/** Optional whitespace (spaces and tabs) around a header value or list member. */
const OWS = /^[ \t]+|[ \t]+$/g;

/**
 * Parses a `traceparent` header. Anything that does not follow the grammar gives `null`, which
 * means: start a new trace, and ignore `tracestate`. Rules (W3C Trace Context, sections "Version" and "traceparent"):
 * - lowercase hex only; version 2 digits and not `ff`; trace-id 32 and parent-id 16 digits, not
 *   all zero; flags 2 digits;
 * - version `00` ends right after the flags; a higher version is parsed for its first four
 *   fields when the flags are followed by the end or `-`;
 * - spaces and tabs around the value are ignored; two header fields (an array of two, or
 *   Node's `", "`-joined duplicates) are invalid.
 *
 * @param value - the header's value(s)
 * @returns the fields, or null
 */
export function parseTraceparent(value: HeaderValue): TraceParent | null {
  if (value === undefined) return null;
  if (typeof value !== "string") {
    if (value.length !== 1) return null;
    value = value[0]!;
  }
  const text = value.replace(OWS, "");
  if (text.length < 55) return null;
  const version = text.slice(0, 2);
  if (!HEX.test(version) || version === "ff") return null;
  if (version === "00" && text.length !== 55) return null;
  if (text.length > 55 && text[55] !== "-") return null;
  if (text[2] !== "-" || text[35] !== "-" || text[52] !== "-") return null;
  const traceId = text.slice(3, 35);
  const parentId = text.slice(36, 52);
  const flags = text.slice(53, 55);
  if (!HEX.test(traceId) || ZERO.test(traceId) || !HEX.test(parentId) || ZERO.test(parentId) || !HEX.test(flags)) return null;
  const bits = Number.parseInt(flags, 16);
  return { traceId, parentId, sampled: (bits & 1) === 1, random: (bits & 2) === 2 };
}

/**
 * Writes a `traceparent` of version 00: the flags are two lowercase hex digits with bit 0
 * sampled and bit 1 random, every other bit 0.
 *
 * @throws TypeError when an id is not lowercase hex of the right length, or all zero
 */
export function formatTraceparent(parent: TraceParent): string {
  if (parent.traceId.length !== 32 || !HEX.test(parent.traceId) || ZERO.test(parent.traceId))
    throw new TypeError(`invalid trace id ${JSON.stringify(parent.traceId)}`);
  if (parent.parentId.length !== 16 || !HEX.test(parent.parentId) || ZERO.test(parent.parentId))
    throw new TypeError(`invalid span id ${JSON.stringify(parent.parentId)}`);
  const flags = (parent.sampled ? 1 : 0) | (parent.random ? 2 : 0);
  return `00-${parent.traceId}-${parent.parentId}-0${flags.toString(16)}`;
}

/** The most members a `tracestate` may have. */
export const TRACESTATE_MAX_MEMBERS = 32;
/** At least this many characters of `tracestate` are propagated; beyond it whole members are dropped. */
export const TRACESTATE_PROPAGATE_CHARS = 512;

/** Key: a lowercase letter or digit, then up to 255 of `a-z 0-9 _ - * / @` (current ABNF). */
const TRACESTATE_KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
/** Value: 1 to 256 printable ASCII characters other than `,` and `=`, not ending in a space. */
const TRACESTATE_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/**
 * Parses `tracestate` (several header fields are combined in order, as one list). Members are
 * separated by `,` with optional spaces or tabs; empty members are skipped. A member whose key or
 * value breaks the grammar, or more than {@link TRACESTATE_MAX_MEMBERS} members, invalidates the
 * whole header (`null`: it is not propagated). A repeated key keeps its first value.
 *
 * @param value - the header's value(s)
 * @returns the members in order as `[key, value]`, or null
 */
export function parseTracestate(value: HeaderValue): Array<[string, string]> | null {
  if (value === undefined) return [];
  const text = typeof value === "string" ? value : value.join(",");
  const members: Array<[string, string]> = [];
  const seen = new Set<string>();
  let count = 0;
  for (const raw of text.split(",")) {
    const member = raw.replace(OWS, "");
    if (member === "") continue;
    if (++count > TRACESTATE_MAX_MEMBERS) return null;
    const eq = member.indexOf("=");
    if (eq < 0) return null;
    const key = member.slice(0, eq);
    const val = member.slice(eq + 1);
    if (!TRACESTATE_KEY.test(key) || !TRACESTATE_VALUE.test(val)) return null;
    if (seen.has(key)) continue;
    seen.add(key);
    members.push([key, val]);
  }
  return members;
}

/**
 * Writes `tracestate` from its members (newest first, as callers keep them), or `undefined`
 * when there are none. Past {@link TRACESTATE_PROPAGATE_CHARS} characters whole members are
 * dropped: first those over 128 characters, then from the right (W3C Trace Context, "tracestate" limits).
 */
export function formatTracestate(members: ReadonlyArray<readonly [string, string]>): string | undefined {
  let list = members.slice(0, TRACESTATE_MAX_MEMBERS).map(([k, v]) => `${k}=${v}`);
  const length = () => list.join(",").length;
  while (length() > TRACESTATE_PROPAGATE_CHARS) {
    const long = list.findIndex((m) => m.length > 128);
    list = long >= 0 ? list.filter((_, i) => i !== long) : list.slice(0, -1);
  }
  return list.length > 0 ? list.join(",") : undefined;
}
