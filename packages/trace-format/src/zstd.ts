/**
 * Synchronous Zstandard compression and decompression for `trace.bin` (docs/trace-format.md: "trace.bin"), Node.js.
 *
 * - Node ≥ 22.15 / ≥ 23.8 has `zlib.zstdCompressSync`/`zstdDecompressSync`: used when present
 *   ({@link ZstdCodec.name} `"node:zlib"`).
 * - Otherwise (Node 20) the WebAssembly build of the reference zstd library shipped by the npm
 *   package `@bokuweb/zstd-wasm` (MIT, no install script, no native addon, no dependencies)
 *   (`"@bokuweb/zstd-wasm"`). Its own `init()` is asynchronous; this module instantiates the
 *   `.wasm` file synchronously instead (`new WebAssembly.Module` + `new WebAssembly.Instance`
 *   through the Emscripten `instantiateWasm` hook), so compression works from the first event
 *   and inside `process.on("exit")` handlers, where asynchronous work never completes.
 *
 * Both codecs are synchronous. The wasm module is loaded once per thread, on first use
 * (about 250 KB, a few milliseconds).
 *
 * @packageDocumentation
 */

import { joinPath } from "./node/join-path.js";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { TraceFormatError } from "./errors.js";
import { ErrorCtor, MathMax, StringCtor, TypedArrayPrototypeGetLength, TypedArrayPrototypeSet, uint8Copy } from "./primordials.js";

// Captured when this module loads, before any program code: a recorded program may replace
// the members of Node's `fs`, `path` and `zlib` modules (see src/primordials.ts).
const { readFileSync } = fs;
const { dirname } = path;
const requireHere = createRequire(import.meta.url);
const resolveHere = requireHere.resolve;
const zstdCompressSync = (zlib as unknown as Partial<NodeZstd>).zstdCompressSync;
const zstdDecompressSync = (zlib as unknown as Partial<NodeZstd>).zstdDecompressSync;
const zlibConstants = (zlib as unknown as Partial<NodeZstd>).constants;

/** A synchronous zstd codec: one call makes or reads one complete zstd frame. */
export interface ZstdCodec {
  /** Which implementation: `"node:zlib"` or `"@bokuweb/zstd-wasm"`. */
  readonly name: string;
  /**
   * Compresses `data` into exactly one complete zstd frame (with the content size in its
   * header).
   * @throws {@link TraceFormatError} `ERR_IO` if the compressor fails
   */
  compress(data: Uint8Array): Uint8Array;
  /**
   * Decompresses one zstd frame whose decompressed size is `size` bytes (with `exact` false:
   * at most `size` bytes).
   * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` if the frame is corrupt or its size differs
   */
  decompress(frame: Uint8Array, size: number, exact?: boolean): Uint8Array;
}

/** Default zstd compression level (zstd's own default). */
export const DEFAULT_ZSTD_LEVEL = 3;

type NodeZstd = {
  zstdCompressSync(data: Uint8Array, options?: object): Buffer;
  zstdDecompressSync(data: Uint8Array, options?: object): Buffer;
  constants: Record<string, number>;
};

/** True when the running Node has `zlib.zstdCompressSync` (Node ≥ 22.15 / 23.8). */
export function hasNodeZstd(): boolean {
  return typeof zstdCompressSync === "function" && typeof zstdDecompressSync === "function";
}

function nodeCodec(level: number): ZstdCodec {
  const compressSync = zstdCompressSync!;
  const decompressSync = zstdDecompressSync!;
  const levelParam = zlibConstants?.ZSTD_c_compressionLevel;
  // Made once, by a literal (its key is defined, not stored: no setter of the program's runs).
  const params: Record<number, number> = levelParam !== undefined ? { [levelParam]: level } : {};
  return {
    name: "node:zlib",
    compress(data) {
      try {
        return compressSync(data, { params, pledgedSrcSize: TypedArrayPrototypeGetLength(data) });
      } catch (error) {
        throw new TraceFormatError("ERR_IO", `zstd compression failed: ${StringCtor(error)}`, {}, error);
      }
    },
    decompress(frame, size, exact = true) {
      let out: Buffer;
      try {
        out = decompressSync(frame, { maxOutputLength: MathMax(size, 1) });
      } catch (error) {
        throw new TraceFormatError("ERR_TRACE_INVALID", `zstd frame cannot be decompressed: ${StringCtor(error)}`, {}, error);
      }
      if (exact && out.length !== size) {
        throw new TraceFormatError("ERR_TRACE_INVALID", `zstd frame decompresses to ${out.length} bytes, the seek table says ${size}`);
      }
      return out;
    },
  };
}

/** The few WebAssembly JS API members used here (the project's `lib` has no DOM/WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => object;
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const WasmModuleCtor = WebAssemblyApi.Module;
const WasmInstanceCtor = WebAssemblyApi.Instance;

/** The Emscripten module object of `@bokuweb/zstd-wasm` (only what is used here). */
interface WasmModule {
  instantiateWasm?: (imports: object, receive: (instance: object) => unknown) => unknown;
  init(buf: Uint8Array): unknown;
  calledRun?: boolean;
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  _ZSTD_compressBound(n: number): number;
  _ZSTD_compress(dst: number, cap: number, src: number, n: number, level: number): number;
  _ZSTD_decompress(dst: number, cap: number, src: number, n: number): number;
  _ZSTD_isError(code: number): number;
}

let wasmModule: WasmModule | undefined;

function loadWasm(): WasmModule {
  if (wasmModule !== undefined) return wasmModule;
  try {
    // The package's `exports` only expose its index; the files beside it are loaded by path.
    const dir = dirname(resolveHere("@bokuweb/zstd-wasm"));
    const mod = (requireHere(joinPath(dir, "module.js")) as { Module: WasmModule }).Module;
    if (!mod.calledRun) {
      const binary = readFileSync(joinPath(dir, "zstd.wasm"));
      mod.instantiateWasm = (imports, receive) => {
        const instance = new WasmInstanceCtor(new WasmModuleCtor(binary), imports);
        return receive(instance);
      };
      mod.init(binary);
    }
    if (!mod.calledRun) throw new ErrorCtor("the zstd wasm runtime did not start synchronously");
    wasmModule = mod;
    return mod;
  } catch (error) {
    throw new TraceFormatError("ERR_IO", `cannot load the zstd WebAssembly module of @bokuweb/zstd-wasm: ${StringCtor(error)}`, {}, error);
  }
}

function wasmCodec(level: number): ZstdCodec {
  const m = loadWasm();
  return {
    name: "@bokuweb/zstd-wasm",
    compress(data) {
      const length = TypedArrayPrototypeGetLength(data);
      const bound = m._ZSTD_compressBound(length);
      const src = m._malloc(MathMax(length, 1));
      const dst = m._malloc(bound);
      try {
        TypedArrayPrototypeSet(m.HEAPU8, data, src); // HEAPU8 is re-read: memory may have grown in malloc
        const n = m._ZSTD_compress(dst, bound, src, length, level);
        if (m._ZSTD_isError(n)) throw new TraceFormatError("ERR_IO", `zstd compression failed (code ${n})`);
        return uint8Copy(m.HEAPU8, dst, dst + n);
      } finally {
        m._free(dst);
        m._free(src);
      }
    },
    decompress(frame, size, exact = true) {
      const length = TypedArrayPrototypeGetLength(frame);
      const src = m._malloc(MathMax(length, 1));
      const dst = m._malloc(MathMax(size, 1));
      try {
        TypedArrayPrototypeSet(m.HEAPU8, frame, src);
        const n = m._ZSTD_decompress(dst, size, src, length);
        if (m._ZSTD_isError(n)) {
          throw new TraceFormatError(
            "ERR_TRACE_INVALID",
            `zstd frame cannot be decompressed into the ${size} bytes the seek table gives (zstd error ${n >>> 0})`,
          );
        }
        if (exact && n !== size) {
          throw new TraceFormatError("ERR_TRACE_INVALID", `zstd frame decompresses to ${n} bytes, the seek table says ${size}`);
        }
        return uint8Copy(m.HEAPU8, dst, dst + n);
      } finally {
        m._free(dst);
        m._free(src);
      }
    },
  };
}

/**
 * Returns a synchronous zstd codec: Node's built-in one when available, else the WebAssembly
 * one (see the module comment).
 *
 * @param options - `prefer: "wasm"` forces the WebAssembly codec (tests); `level` is the
 *   compression level (default {@link DEFAULT_ZSTD_LEVEL})
 * @throws {@link TraceFormatError} `ERR_IO` when the WebAssembly module cannot be loaded
 */
export function zstdCodec(options: { prefer?: "node" | "wasm"; level?: number } = {}): ZstdCodec {
  const level = options.level ?? DEFAULT_ZSTD_LEVEL;
  if (options.prefer !== "wasm" && hasNodeZstd()) return nodeCodec(level);
  return wasmCodec(level);
}
