/**
 * The viewer's index of one trace (docs/commands.md, "view"): decompresses an embedded
 * Binary v1 `trace.bin` (zstd frames, with `fzstd`) and walks its CBOR events once, keeping
 * only numbers in typed arrays — each event's byte offset and kind, each step's file, line and
 * call, each call's function, parent, first and last step and return — so that a trace of
 * millions of events loads in seconds and holds a few bytes per event. Values (locals,
 * arguments, return values) are decoded only when shown, from the kept bytes, with `cborg`.
 */
import { decompress } from "fzstd";
import { decode as decodeCbor } from "cborg";

/** Event kinds, in the order of the runtime_tracing `TraceLowLevelEvent` variants (an unknown name is `Unknown`). */
export const Kind = {
  Step: 0,
  Value: 1,
  Call: 2,
  Return: 3,
  Path: 4,
  Function: 5,
  Type: 6,
  VariableName: 7,
  Variable: 8,
  Event: 9,
  Asm: 10,
  BindVariable: 11,
  DropVariables: 12,
  DropVariable: 13,
  ThreadStart: 14,
  ThreadExit: 15,
  ThreadSwitch: 16,
  DropLastStep: 17,
  Unknown: 18,
} as const;

// Each event name is told apart by its length and first letter: length * 256 + first byte.
const NAME_KEYS: Record<number, number> = {};
for (const [name, kind] of Object.entries(Kind)) NAME_KEYS[name.length * 256 + name.charCodeAt(0)] = kind;

/** A `Function` event. */
export interface FunctionInfo {
  name: string;
  pathId: number;
  line: number;
}

/** A `Type` event (as decoded). */
export interface TypeInfo {
  kind: number;
  lang_type: string;
  specific_info?: { kind: string; fields?: Array<{ name: string; type_id: number }> };
}

/** A value record as decoded from CBOR (runtime_tracing `ValueRecord`). */
export type ValueRecord = Record<string, unknown> & { kind: string };

/** A growable Uint32/Int32 column. */
class Column<T extends Uint32Array | Int32Array | Uint8Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data as never);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  /** The filled part (a copy trimmed to the length). */
  done(): T {
    return this.data.slice(0, this.length) as T;
  }
}

const u32 = (n: number): Uint32Array => new Uint32Array(n);
const i32 = (n: number): Int32Array => new Int32Array(n);
const u8 = (n: number): Uint8Array => new Uint8Array(n);

/** The index of one trace: every array is indexed by event, step or call number. */
export interface TraceIndex {
  /** The decompressed CBOR events. */
  data: Uint8Array;
  eventCount: number;
  /** Byte offset of each event in `data` (event `i` ends where `i + 1` starts, or at `dataEnd`). */
  evOffset: Uint32Array;
  evKind: Uint8Array;
  /** Where the readable events end in `data`. */
  dataEnd: number;
  paths: string[];
  functions: FunctionInfo[];
  types: TypeInfo[];
  varNames: string[];
  stepCount: number;
  /** Event number of each step. */
  stepEvent: Uint32Array;
  stepPath: Uint32Array;
  stepLine: Uint32Array;
  /** The call a step belongs to (-1: outside any call). */
  stepCall: Int32Array;
  callCount: number;
  callEvent: Uint32Array;
  callFunc: Uint32Array;
  /** Parent call (-1 for a top-level call). */
  callParent: Int32Array;
  callDepth: Int32Array;
  /** First step of the call (its entry step), or -1. */
  callFirstStep: Int32Array;
  /** Last step before it returned (in it or in a call it made), or -1. */
  callLastStep: Int32Array;
  /** Event number of its `Return`, or -1 when it never returned. */
  callReturnEvent: Int32Array;
  /** First call number after its subtree: children of `c` are `c+1`, then `callEnd[c+1]`, … below `callEnd[c]`. */
  callEnd: Int32Array;
  /** Calls per function. */
  funcCalls: Uint32Array;
  /** Hits per line, per path id (index = line). */
  hits: Uint32Array[];
  /** Event numbers of `Event` (IO) events. */
  ioEvents: Uint32Array;
  /** What could not be read (shown above the view), or empty. */
  warnings: string[];
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * Splits an embedded `trace.bin` into its zstd frames by its seek table and decompresses them,
 * yielding the fraction done after each frame (so a page can show progress and stay
 * responsive); returns the concatenated CBOR events. (`fzstd` is several times faster
 * allocating its own output than writing into a given buffer, so each frame is copied.)
 * @throws Error with a message for the page when the header or seek table is wrong, or a frame does not decompress
 */
export function* decompressTraceBin(bytes: Uint8Array): Generator<number, Uint8Array> {
  const { body, frames, total } = readFrames(bytes);
  const out = new Uint8Array(total);
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    if (f.decompressedSize > 0) {
      let frame: Uint8Array;
      try {
        frame = decompress(body.subarray(f.offset, f.offset + f.compressedSize));
      } catch (error) {
        throw frameError(i, f, (error as Error).message);
      }
      if (frame.length !== f.decompressedSize) throw frameError(i, f, `it holds ${frame.length} bytes, its seek table entry says ${f.decompressedSize}`);
      out.set(frame, f.outOffset);
    }
    yield (f.outOffset + f.decompressedSize) / (total || 1);
  }
  return out;
}

/** A zstd frame of a `trace.bin`: where it is in the file's body and in the decompressed events. */
export interface FrameEntry {
  /** Offset in the body (the bytes after the 8-byte header). */
  offset: number;
  compressedSize: number;
  /** Offset of its bytes in the decompressed events. */
  outOffset: number;
  decompressedSize: number;
}

/**
 * Reads the header and seek table of an embedded `trace.bin`.
 * @returns the body (after the header), its frames, and the decompressed size
 * @throws Error with a message for the page when the header or seek table is wrong
 */
export function readFrames(bytes: Uint8Array): { body: Uint8Array; frames: FrameEntry[]; total: number } {
  const header = [0xc0, 0xde, 0x72, 0xac, 0xe2, 0x01, 0x00, 0x00];
  if (bytes.length < 8 || !header.every((b, i) => bytes[i] === b)) {
    throw new Error("the embedded trace.bin does not start with the Binary v1 header c0 de 72 ac e2 01 00 00");
  }
  const body = bytes.subarray(8);
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const end = body.length;
  if (end < 17 || v.getUint32(end - 4, true) !== 0x8f92eab1) throw new Error("the embedded trace.bin has no seek table (the recording did not finish)");
  const entrySize = v.getUint8(end - 5) & 0x80 ? 12 : 8;
  const n = v.getUint32(end - 9, true);
  const tableOffset = end - (n * entrySize + 9) - 8;
  if (tableOffset < 0) throw new Error(`the seek table claims ${n} frames, more than the file holds`);
  const frames: FrameEntry[] = [];
  let p = 0;
  let q = 0;
  for (let i = 0; i < n; i++) {
    const c = v.getUint32(tableOffset + 8 + i * entrySize, true);
    const d = v.getUint32(tableOffset + 8 + i * entrySize + 4, true);
    frames.push({ offset: p, compressedSize: c, outOffset: q, decompressedSize: d });
    p += c;
    q += d;
  }
  if (p !== tableOffset) throw new Error(`the seek table's frames add up to ${p} bytes, but ${tableOffset} bytes precede it`);
  return { body, frames, total: q };
}

/** The message of a frame that failed. */
export function frameError(i: number, f: FrameEntry, why: string): Error {
  return new Error(`zstd frame ${i} at byte ${f.offset + 8} cannot be decompressed: ${why}`);
}

/** Runs a generator of this module to its end (no progress). */
export function finish<T>(gen: Generator<number, T>): T {
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
  }
}

// --- a CBOR walker that reads heads and skips items without building them -----------------

let pos = 0;
let data: Uint8Array = new Uint8Array(0);

class Truncated extends Error {}

/** Reads a head at `pos`: returns the argument (length or integer), sets `major`; -1 for indefinite. */
let major = 0;
function head(): number {
  if (pos >= data.length) throw new Truncated();
  const b = data[pos++]!;
  major = b >> 5;
  const info = b & 31;
  if (info < 24) return info;
  if (info === 24) {
    if (pos + 1 > data.length) throw new Truncated();
    return data[pos++]!;
  }
  if (info === 25) {
    if (pos + 2 > data.length) throw new Truncated();
    const r = (data[pos]! << 8) | data[pos + 1]!;
    pos += 2;
    return r;
  }
  if (info === 26) {
    if (pos + 4 > data.length) throw new Truncated();
    const r = ((data[pos]! << 24) >>> 0) + ((data[pos + 1]! << 16) | (data[pos + 2]! << 8) | data[pos + 3]!);
    pos += 4;
    return r;
  }
  if (info === 27) {
    if (pos + 8 > data.length) throw new Truncated();
    const hi = ((data[pos]! << 24) >>> 0) + ((data[pos + 1]! << 16) | (data[pos + 2]! << 8) | data[pos + 3]!);
    const lo = ((data[pos + 4]! << 24) >>> 0) + ((data[pos + 5]! << 16) | (data[pos + 6]! << 8) | data[pos + 7]!);
    pos += 8;
    return hi * 4294967296 + lo;
  }
  if (info === 31) return -1;
  throw new Error(`malformed CBOR head 0x${b.toString(16)} at byte ${pos - 1}`);
}

/**
 * Skips one item at `pos`: a loop over a count of items still to skip (arrays and maps add
 * theirs), without recursion; an indefinite-length item (never written by the recorders) goes
 * to {@link skipIndefinite}.
 */
function skip(): void {
  let pending = 1;
  const d = data;
  const len = d.length;
  while (pending > 0) {
    if (pos >= len) throw new Truncated();
    const b = d[pos]!;
    const info = b & 31;
    const m = b >> 5;
    let n: number;
    if (info < 24) {
      n = info;
      pos++;
    } else if (info === 31) {
      skipIndefinite();
      pending--;
      continue;
    } else n = head();
    pending--;
    if (m === 4) pending += n;
    else if (m === 5) pending += 2 * n;
    else if (m === 2 || m === 3) {
      pos += n;
      if (pos > len) throw new Truncated();
    } else if (m === 6) pending++;
  }
}

/** Skips an indefinite-length string, array or map at `pos`. */
function skipIndefinite(): void {
  const b = data[pos++]!;
  const m = b >> 5;
  if (m === 7) throw new Error(`unexpected break at byte ${pos - 1}`);
  if (m < 2 || m === 6) throw new Error(`malformed CBOR head 0x${b.toString(16)} at byte ${pos - 1}`);
  for (;;) {
    if (pos >= data.length) throw new Truncated();
    if (data[pos] === 0xff) {
      pos++;
      return;
    }
    skip();
    if (m === 5) skip();
  }
}

/** Reads a text string at `pos`. */
function text(): string {
  const n = head();
  if (major !== 3 || n < 0) throw new Error(`expected a text string at byte ${pos}`);
  if (pos + n > data.length) throw new Truncated();
  const s = utf8.decode(data.subarray(pos, pos + n));
  pos += n;
  return s;
}

/** Reads a map key (text) at `pos` and returns its length * 256 + first byte, without building it. */
function keyCode(): number {
  const n = head();
  if (major !== 3 || n < 0) throw new Error(`expected a text key at byte ${pos}`);
  if (pos + n > data.length) throw new Truncated();
  const code = n * 256 + (n > 0 ? data[pos]! : 0);
  pos += n;
  return code;
}

/** An unsigned integer at `pos` (a negative or other item reads as 0). */
function uint(): number {
  const start = pos;
  const n = head();
  if (major === 0) return n;
  pos = start;
  skip();
  return 0;
}

/** Decodes the whole item at `p` (ending at `end`) with cborg. */
export function decodeAt(bytes: Uint8Array, p: number, end: number): unknown {
  return decodeCbor(bytes.subarray(p, end), { allowUndefined: true, useMaps: false });
}

const K_PATH_ID = 7 * 256 + 0x70; // "path_id"
const K_LINE = 4 * 256 + 0x6c; // "line"
const K_FUNCTION_ID = 11 * 256 + 0x66; // "function_id"

/** Progress callback: fraction done (0–1). */
export type Progress = (done: number) => void;

/**
 * Indexes the CBOR events of a decompressed `trace.bin`, yielding the fraction done every 64 Ki
 * events. A trailing event cut short (or any malformed event) ends the index there with a
 * warning; what came before is kept.
 */
export function* indexEvents(bytes: Uint8Array): Generator<number, TraceIndex> {
  data = bytes;
  pos = 0;
  const guess = Math.max(1024, (bytes.length / 16) | 0);
  const evOffset = new Column(u32(guess), u32);
  const evKind = new Column(u8(guess), u8);
  const stepEvent = new Column(u32(guess >> 1), u32);
  const stepPath = new Column(u32(guess >> 1), u32);
  const stepLine = new Column(u32(guess >> 1), u32);
  const stepCall = new Column(i32(guess >> 1), i32);
  const cg = Math.max(256, guess >> 3);
  const callEvent = new Column(u32(cg), u32);
  const callFunc = new Column(u32(cg), u32);
  const callParent = new Column(i32(cg), i32);
  const callDepth = new Column(i32(cg), i32);
  const callFirstStep = new Column(i32(cg), i32);
  const callLastStep = new Column(i32(cg), i32);
  const callReturnEvent = new Column(i32(cg), i32);
  const callEnd = new Column(i32(cg), i32);
  const io = new Column(u32(256), u32);
  const paths: string[] = [];
  const functions: FunctionInfo[] = [];
  const types: TypeInfo[] = [];
  const varNames: string[] = [];
  const hits: Uint32Array[] = [];
  const warnings: string[] = [];
  let funcCalls = new Uint32Array(64);
  // The open calls, innermost last.
  const stack: number[] = [];
  let lastStep = -1;
  // Event number of the last Call or Return: a step after it and before the next Call is that call's entry step.
  let lastCallOrReturn = -1;
  let ev = 0;
  const length = bytes.length;
  let start = 0;
  try {
    while (pos < length) {
      start = pos;
      const b = bytes[pos]!;
      let kind: number = Kind.Unknown;
      if (b === 0xa1) {
        pos++;
        kind = NAME_KEYS[keyCode()] ?? Kind.Unknown;
        switch (kind) {
          case Kind.Step: {
            let path = 0;
            let line = 0;
            const n = head();
            if (major !== 5) throw new Error(`a Step payload is not a map (byte ${start})`);
            for (let i = 0; i < n; i++) {
              const k = keyCode();
              if (k === K_PATH_ID) path = uint();
              else if (k === K_LINE) line = uint();
              else skip();
            }
            const s = stepEvent.length;
            stepEvent.push(ev);
            stepPath.push(path);
            stepLine.push(line);
            const call = stack.length > 0 ? stack[stack.length - 1]! : -1;
            stepCall.push(call);
            if (call >= 0 && callFirstStep.data[call] === -1) callFirstStep.data[call] = s;
            let h = hits[path];
            if (h === undefined || h.length <= line) {
              const next = new Uint32Array(Math.max(line + 1, h ? h.length * 2 : 64));
              if (h) next.set(h);
              h = hits[path] = next;
            }
            h[line]!++;
            lastStep = s;
            break;
          }
          case Kind.Call: {
            let fn = 0;
            const n = head();
            if (major !== 5) throw new Error(`a Call payload is not a map (byte ${start})`);
            for (let i = 0; i < n; i++) {
              if (keyCode() === K_FUNCTION_ID) fn = uint();
              else skip();
            }
            const c = callEvent.length;
            const parent = stack.length > 0 ? stack[stack.length - 1]! : -1;
            callEvent.push(ev);
            callFunc.push(fn);
            callParent.push(parent);
            callDepth.push(stack.length);
            // The step just before the call (at the function's line) is its entry step.
            let first = -1;
            if (lastStep >= 0 && stepEvent.data[lastStep]! > lastCallOrReturn) {
              first = lastStep;
              stepCall.data[lastStep] = c;
              if (parent >= 0 && callFirstStep.data[parent] === lastStep) callFirstStep.data[parent] = -1;
            }
            callFirstStep.push(first);
            callLastStep.push(-1);
            callReturnEvent.push(-1);
            callEnd.push(-1);
            if (fn >= funcCalls.length) {
              const next = new Uint32Array(Math.max(fn + 1, funcCalls.length * 2));
              next.set(funcCalls);
              funcCalls = next;
            }
            funcCalls[fn]!++;
            stack.push(c);
            lastCallOrReturn = ev;
            break;
          }
          case Kind.Return: {
            skip();
            const c = stack.pop();
            if (c !== undefined) {
              callReturnEvent.data[c] = ev;
              callLastStep.data[c] = lastStep >= 0 && lastStep >= callFirstStep.data[c]! ? lastStep : -1;
              callEnd.data[c] = callEvent.length;
            }
            lastCallOrReturn = ev;
            break;
          }
          case Kind.Path:
            paths.push(text());
            break;
          case Kind.VariableName:
          case Kind.Variable:
            varNames.push(text());
            break;
          case Kind.Function:
          case Kind.Type: {
            const p = pos;
            skip();
            const value = decodeAt(bytes, p, pos) as Record<string, unknown>;
            if (kind === Kind.Function) {
              functions.push({ name: String(value.name), pathId: Number(value.path_id), line: Number(value.line) });
            } else types.push(value as unknown as TypeInfo);
            break;
          }
          case Kind.Event:
            io.push(ev);
            skip();
            break;
          default:
            skip();
        }
      } else if (b >> 5 === 3) {
        const name = text();
        kind = name === "DropLastStep" ? Kind.DropLastStep : Kind.Unknown;
      } else {
        throw new Error(`event #${ev} at byte ${start} is not a one-entry map or a text string (first byte 0x${b.toString(16)})`);
      }
      evOffset.push(start);
      evKind.push(kind);
      ev++;
      if ((ev & 0xffff) === 0) {
        const here = pos;
        yield here / length;
        data = bytes;
        pos = here;
      }
    }
  } catch (error) {
    pos = start;
    if (error instanceof Truncated) {
      warnings.push(`The event data ends inside event #${ev} (byte ${start} of ${length}): the ${length - start} bytes after it are not shown.`);
    } else {
      warnings.push(`Event #${ev} (byte ${start} of the decompressed data) cannot be read: ${(error as Error).message}. The events after it are not shown.`);
    }
  }
  const dataEnd = pos;
  // Calls still open at the end: their subtree runs to the last call, their last step is the last step.
  for (const c of stack) {
    callEnd.data[c] = callEvent.length;
    callLastStep.data[c] = lastStep >= callFirstStep.data[c]! ? lastStep : -1;
  }
  return {
    data: bytes,
    eventCount: ev,
    evOffset: evOffset.done(),
    evKind: evKind.done(),
    dataEnd,
    paths,
    functions,
    types,
    varNames,
    stepCount: stepEvent.length,
    stepEvent: stepEvent.done(),
    stepPath: stepPath.done(),
    stepLine: stepLine.done(),
    stepCall: stepCall.done(),
    callCount: callEvent.length,
    callEvent: callEvent.done(),
    callFunc: callFunc.done(),
    callParent: callParent.done(),
    callDepth: callDepth.done(),
    callFirstStep: callFirstStep.done(),
    callLastStep: callLastStep.done(),
    callReturnEvent: callReturnEvent.done(),
    callEnd: callEnd.done(),
    funcCalls: funcCalls.slice(0, Math.max(functions.length, 0)),
    hits,
    ioEvents: io.done(),
    warnings,
  };
}

/** The end offset of event `e`. */
function eventEnd(ix: TraceIndex, e: number): number {
  return e + 1 < ix.eventCount ? ix.evOffset[e + 1]! : ix.dataEnd;
}

/** Decodes event `e` (its payload: the value of its one-entry map). */
export function eventPayload(ix: TraceIndex, e: number): unknown {
  const item = decodeAt(ix.data, ix.evOffset[e]!, eventEnd(ix, e));
  if (item !== null && typeof item === "object") return Object.values(item as object)[0];
  return item;
}

/** A variable and its value. */
export interface NamedValue {
  name: string;
  value: ValueRecord;
}

/** The locals recorded at step `s`: its Value events; for a call's entry step, the call's arguments. */
export function localsAt(ix: TraceIndex, s: number): NamedValue[] {
  const out: NamedValue[] = [];
  const name = (id: number): string => ix.varNames[id] ?? `#${id}`;
  const c = ix.stepCall[s]!;
  if (c >= 0 && ix.callFirstStep[c] === s) {
    const call = eventPayload(ix, ix.callEvent[c]!) as { args?: Array<{ variable_id: number; value: ValueRecord }> };
    for (const a of call.args ?? []) out.push({ name: name(a.variable_id), value: a.value });
    return out;
  }
  for (let e = ix.stepEvent[s]! + 1; e < ix.eventCount; e++) {
    const k = ix.evKind[e]!;
    if (k === Kind.Step || k === Kind.Call || k === Kind.Return) break;
    if (k === Kind.Value) {
      const v = eventPayload(ix, e) as { variable_id: number; value: ValueRecord };
      out.push({ name: name(v.variable_id), value: v.value });
    }
  }
  return out;
}

/** The arguments of call `c`. */
export function callArgs(ix: TraceIndex, c: number): NamedValue[] {
  const call = eventPayload(ix, ix.callEvent[c]!) as { args?: Array<{ variable_id: number; value: ValueRecord }> };
  return (call.args ?? []).map((a) => ({ name: ix.varNames[a.variable_id] ?? `#${a.variable_id}`, value: a.value }));
}

/** The return value of call `c`, or `undefined` when it never returned. */
export function returnValue(ix: TraceIndex, c: number): ValueRecord | undefined {
  const e = ix.callReturnEvent[c]!;
  if (e < 0) return undefined;
  return (eventPayload(ix, e) as { return_value: ValueRecord }).return_value;
}

/** Renders a value record as one line of text (at most about `max` characters). */
export function formatValue(ix: TraceIndex, v: unknown, max = 300): string {
  let out = "";
  const put = (s: string): boolean => {
    out += s;
    return out.length < max;
  };
  const typeOf = (r: ValueRecord): TypeInfo | undefined => (typeof r.type_id === "number" ? ix.types[r.type_id] : undefined);
  const walk = (r: unknown, depth: number): boolean => {
    if (r === null || typeof r !== "object") return put(String(r));
    const rec = r as ValueRecord;
    switch (rec.kind) {
      case "Int":
        return put(String(rec.i));
      case "Float":
        return put(String(rec.f));
      case "Bool":
        return put(String(rec.b));
      case "String":
        return put(JSON.stringify(rec.text));
      case "None":
        return put(typeOf(rec)?.lang_type ?? "None");
      case "Raw":
        return put(String(rec.r));
      case "Error":
        return put(`<${String(rec.msg)}>`);
      case "Cell":
        return put(`<cell ${String(rec.place)}>`);
      case "BigInt": {
        let n = 0n;
        try {
          for (const ch of atob(String(rec.b))) n = n * 256n + BigInt(ch.charCodeAt(0));
        } catch {
          return put(`<bigint ${String(rec.b)}>`);
        }
        return put(`${rec.negative ? "-" : ""}${n}n`);
      }
      case "Reference":
        return walk(rec.dereferenced, depth);
      case "Variant":
        if (!put(`${String(rec.discriminator)}(`)) return false;
        return walk(rec.contents, depth + 1) && put(")");
      case "Sequence":
      case "Tuple": {
        const els = (rec.elements as unknown[]) ?? [];
        if (depth > 3) return put(`[… ${els.length}]`);
        const t = typeOf(rec)?.lang_type;
        if (!put(rec.kind === "Tuple" ? "(" : t && t !== "Array" ? `${t} [` : "[")) return false;
        for (let i = 0; i < els.length; i++) {
          if (i > 0 && !put(", ")) return false;
          if (!walk(els[i], depth + 1)) return false;
        }
        return put(rec.kind === "Tuple" ? ")" : "]");
      }
      case "Struct": {
        const t = typeOf(rec);
        const fields = t?.specific_info?.fields ?? [];
        const vals = (rec.field_values as unknown[]) ?? [];
        const label = t && t.lang_type !== "Object" ? `${t.lang_type} ` : "";
        if (depth > 3) return put(`${label}{…}`);
        if (!put(`${label}{`)) return false;
        for (let i = 0; i < vals.length; i++) {
          if (!put(`${i > 0 ? ", " : " "}${fields[i]?.name ?? i}: `)) return false;
          if (!walk(vals[i], depth + 1)) return false;
        }
        return put(vals.length > 0 ? " }" : "}");
      }
      default:
        return put(JSON.stringify(rec, (_k, x) => (typeof x === "bigint" ? String(x) : x)));
    }
  };
  walk(v, 0);
  return out.length > max ? `${out.slice(0, max)}…` : out;
}
