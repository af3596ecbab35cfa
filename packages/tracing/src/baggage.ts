/**
 * W3C Baggage: the `baggage` header (W3C Baggage, `baggage/HTTP_HEADER_FORMAT.md`; the cases
 * handled are listed in docs/spans.md, "Propagation (W3C)"). Values are percent-decoded when read and percent-encoded
 * when written; a member's properties (`;key[=value]`) are kept as written.
 */
import type { HeaderValue } from "./trace-context.js";

/** One baggage member's value and its properties. */
export interface BaggageEntry {
  /** The decoded value (invalid UTF-8 in it became U+FFFD). */
  value: string;
  /** The member's properties as written after its first `;` (e.g. `"ttl=60;internal"`), if any. */
  metadata?: string;
}

/**
 * The bytes of `baggage` propagated; past them whole members are dropped. W3C Baggage
 * ("Limits", since 2022) sets minimums, not caps: everything must be propagated while the
 * header has at most 64 members and 8192 bytes, and members may be dropped beyond either. This
 * implementation drops only for bytes, so 64 members always pass and so do, for example, 512
 * short members that fit in 8192 bytes (a case of the W3C tests).
 */
export const BAGGAGE_MAX_BYTES = 8192;

/** RFC 7230 `token`: a baggage key. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** `baggage-octet`s and percent escapes: a raw value. */
const RAW_VALUE = /^(?:[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]|%[0-9A-Fa-f]{2})*$/;
const OWS = /^[ \t]+|[ \t]+$/g;

/** Percent-decodes `raw` (already checked against {@link RAW_VALUE}) as UTF-8; invalid sequences become U+FFFD. */
function decode(raw: string): string {
  if (!raw.includes("%")) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === "%") {
      bytes.push(Number.parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(raw.charCodeAt(i));
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Uint8Array.from(bytes));
}

/** Percent-encodes every byte of `value`'s UTF-8 that is not a `baggage-octet`, and `%` always. */
function encode(value: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(value)) {
    const ch = String.fromCharCode(byte);
    out += byte !== 0x25 && byte < 0x80 && RAW_VALUE.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * Parses `baggage` (several header fields combined in order). Members are `key OWS = OWS value`
 * with optional `;properties`, separated by `,` and optional spaces or tabs. A malformed member
 * is skipped and its neighbours kept; a later member with the same key replaces the earlier one.
 * Members past {@link BAGGAGE_MAX_BYTES} bytes are dropped whole, never cut.
 *
 * @param value - the header's value(s); anything else (a number, an empty array) gives no members
 * @returns the members, in order
 */
export function parseBaggage(value: HeaderValue | unknown): Map<string, BaggageEntry> {
  const out = new Map<string, BaggageEntry>();
  const texts = typeof value === "string" ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  let bytes = 0;
  for (const raw of texts.join(",").split(",")) {
    const member = raw.replace(OWS, "");
    if (member === "") continue;
    const semi = member.indexOf(";");
    const pair = semi < 0 ? member : member.slice(0, semi);
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    const key = pair.slice(0, eq).replace(OWS, "");
    const rawValue = pair.slice(eq + 1).replace(OWS, "");
    if (!TOKEN.test(key) || !RAW_VALUE.test(rawValue)) continue;
    const metadata =
      semi < 0
        ? undefined
        : member
            .slice(semi + 1)
            .split(";")
            .map((p) => p.replace(OWS, ""))
            .join(";");
    const size = Buffer.byteLength(member) + (out.size > 0 ? 1 : 0);
    if (bytes + size > BAGGAGE_MAX_BYTES) continue;
    bytes += size;
    out.set(key, metadata === undefined || metadata === "" ? { value: decode(rawValue) } : { value: decode(rawValue), metadata });
  }
  return out;
}

/**
 * Writes `baggage`, or `undefined` for no members. Values are percent-encoded; members that
 * would take the header past {@link BAGGAGE_MAX_BYTES} bytes are left out whole.
 *
 * @param entries - members by key (a key that is not an RFC 7230 token is left out)
 */
export function formatBaggage(entries: ReadonlyMap<string, BaggageEntry> | Record<string, string>): string | undefined {
  const list = entries instanceof Map ? [...entries] : Object.entries(entries).map(([k, v]) => [k, { value: v }] as [string, BaggageEntry]);
  const members: string[] = [];
  let bytes = 0;
  for (const [key, entry] of list) {
    if (!TOKEN.test(key)) continue;
    const member = `${key}=${encode(entry.value)}${entry.metadata ? `;${entry.metadata}` : ""}`;
    const size = Buffer.byteLength(member) + (members.length > 0 ? 1 : 0);
    if (bytes + size > BAGGAGE_MAX_BYTES) continue;
    bytes += size;
    members.push(member);
  }
  return members.length > 0 ? members.join(",") : undefined;
}
