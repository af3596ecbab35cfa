/**
 * `codetracer-trace view DIR [-o FILE] [--open]` (docs/commands.md, "view"): writes ONE
 * self-contained HTML file to look at a recording in a browser — from disk (`file://`), as a
 * CI artifact, without a server or network.
 *
 * What the file holds:
 * - the page (packages/cli/viewer, bundled at build time by build-viewer.mjs into
 *   dist/viewer/: template, style, script with `fzstd` and `cborg` inside);
 * - one JSON block: each trace folder (the main one, then its `workers/<id>` and
 *   `children/<pid>` folders, recursively) with its metadata and warnings, and the sources of
 *   the files named in `trace_paths.json`, read now (a missing or oversized file is marked so);
 * - per folder, its events as a Binary v1 `trace.bin` in base64: the recorded file as-is
 *   (zstd frames and seek table); an unfinished one repaired in memory (its whole frames and a
 *   new seek table; the folder is not touched); a `trace.json` re-encoded as a `trace.bin` (it
 *   compresses about 40× better than JSON and the page has one decoder). The page decompresses
 *   and indexes the events when it opens (docs/commands.md has figures).
 *
 * @packageDocumentation
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import {
  MemoryByteSink,
  parseTraceJson,
  parseUnfinishedTraceJson,
  repairTraceBinBytes,
  TraceBinWriter,
  TraceFormatError,
  type TraceLowLevelEvent,
} from "@codetracer/trace-format";
import { parseSeekTable, traceBinVersion } from "@codetracer/trace-format/internal";
import { EXIT_USAGE, openTraceFolder, readTracePaths, TraceCommandError, type TraceFolderInfo } from "./folder.js";
import { newerFormatNote } from "./inspect-tree.js";

/** One line for the list of commands. */
export const summary = "write one self-contained HTML file to look at a trace in a browser";

/** Usage text. */
export const usage = `Usage: codetracer-trace view DIR [-o FILE] [--open]

Writes one self-contained HTML file showing the trace folder DIR (and its workers/ and
children/ folders): the call tree, the source of each file with executed lines and hit counts,
a step slider with back/forward stepping and the locals at each step, jump from a call to its
return, search by function name. It works from disk (file://) and as a CI artifact: no server,
no network.

Options:
  -o, --output FILE   where to write it (default: trace.html in the working directory)
  --open              open it with the system's opener (xdg-open, open, start) when written
  -h, --help          this text

Exit codes: 0 written; 1 the trace cannot be read; 2 usage error or DIR is not a trace folder.
`;

/** Largest `trace.json` the command re-encodes (bytes): a bigger one is refused with a message. */
export const MAX_TRACE_JSON_BYTES = 256 * 1024 * 1024;
/** Largest `trace.bin` embedded (bytes): base64 makes the page a third larger still. */
export const MAX_TRACE_BIN_BYTES = 256 * 1024 * 1024;
/**
 * Largest decompressed event data a page is given (bytes): the page keeps it in memory, with
 * ~12 bytes of index per event (docs/performance.md, "The trace viewer"); about 20 M events.
 */
export const MAX_DECOMPRESSED_BYTES = 1024 * 1024 * 1024;
/** Largest source file embedded (bytes). */
export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;
/** Most trace folders (main, workers, children) put in one page. */
export const MAX_FOLDERS = 256;

/** Parsed command line. */
interface ViewOptions {
  dir: string;
  output: string;
  open: boolean;
}

function parseArgs(argv: string[]): ViewOptions {
  let dir: string | undefined;
  let output: string | undefined;
  let open = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--open") open = true;
    else if (a === "-o" || a === "--output") {
      const v = argv[++i];
      if (v === undefined || v === "") throw new TraceCommandError(`view: ${a} needs a file name\n${usage}`, EXIT_USAGE);
      output = v;
    } else if (a.startsWith("--output=")) output = a.slice("--output=".length);
    else if (a.startsWith("-") && a !== "-") throw new TraceCommandError(`view: unknown option '${a}'\n${usage}`, EXIT_USAGE);
    else if (dir === undefined) dir = a;
    else throw new TraceCommandError(`view: one trace folder only (got '${dir}' and '${a}')`, EXIT_USAGE);
  }
  if (dir === undefined) throw new TraceCommandError(`view: which trace folder?\n${usage}`, EXIT_USAGE);
  return { dir, output: output ?? "trace.html", open };
}

/** A trace folder as the page gets it (see viewer/main.ts `FolderData`). */
interface FolderData {
  label: string;
  kind: "main" | "worker" | "child";
  dir: string;
  metadata: Record<string, unknown> | null;
  unfinished: boolean;
  format: "binary" | "json";
  eventsBytes: number;
  trace: string | null;
  warnings: string[];
  error: string | null;
}

/** The events of a folder as a finished Binary v1 `trace.bin`, and what the page should say about them. */
interface Embedded {
  bytes: Uint8Array;
  warnings: string[];
}

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

/**
 * The events of `info` as a finished Binary v1 `trace.bin`.
 * @throws {@link TraceCommandError} (exit 1) when they cannot be read at all, with the reason
 */
function embedEvents(info: TraceFolderInfo): Embedded {
  const warnings: string[] = [];
  const name = path.basename(info.eventsFile);
  if (info.format === "binary") {
    if (info.eventsBytes > MAX_TRACE_BIN_BYTES) {
      throw new TraceCommandError(
        `${info.eventsFile}: ${mb(info.eventsBytes)} is too large to put in one page (the limit is ${mb(MAX_TRACE_BIN_BYTES)}); use codetracer-trace print or inspect`,
        1,
      );
    }
    const bytes = new Uint8Array(fs.readFileSync(info.eventsFile));
    const version = traceBinVersion(bytes);
    if (version === "v0")
      throw new TraceCommandError(`${info.eventsFile}: a BinaryV0 (Cap'n Proto) trace, which this viewer cannot read; only Binary v1 (CBOR + zstd)`, 1);
    const newer = newerFormatNote(info);
    if (newer) throw new TraceCommandError(`${info.dir}: ${newer}`, 1);
    if (version === null && bytes.length >= 8) {
      const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
      throw new TraceCommandError(`${info.eventsFile}: not a CodeTracer trace.bin (header ${head}, expected c0 de 72 ac e2 01 00 00)`, 1);
    }
    try {
      const { entries } = parseSeekTable(bytes.subarray(8), name);
      checkDecompressed(
        info,
        entries.reduce((n, e) => n + e.decompressedSize, 0),
      );
      return { bytes, warnings };
    } catch (error) {
      if (!(error instanceof TraceFormatError)) throw error;
    }
    let repaired;
    try {
      repaired = repairTraceBinBytes(bytes, { file: name });
    } catch (error) {
      throw new TraceCommandError(`${info.eventsFile}: cannot be read: ${(error as Error).message}`, 1);
    }
    const { entries } = parseSeekTable(repaired.bytes.subarray(8), name);
    checkDecompressed(
      info,
      entries.reduce((n, e) => n + e.decompressedSize, 0),
    );
    warnings.push(
      `${name} does not end with its seek table: the recording did not finish (killed, or still running) or the file was cut. ` +
        `Shown: the ${repaired.events.length.toLocaleString("en-US")} events of its ${repaired.frames} whole zstd frames` +
        (repaired.droppedBytes > 0 ? `; the last ${repaired.droppedBytes.toLocaleString("en-US")} bytes (a torn frame) are left out.` : ".") +
        " The folder itself was not changed (codetracer-js-recorder --repair DIR finishes it).",
    );
    return { bytes: repaired.bytes, warnings };
  }
  if (info.eventsBytes > MAX_TRACE_JSON_BYTES) {
    throw new TraceCommandError(
      `${info.eventsFile}: ${mb(info.eventsBytes)} is too large to put in one page (the limit for trace.json is ${mb(MAX_TRACE_JSON_BYTES)}); ` +
        "record with --format binary (trace.bin is about 40 times smaller) or use codetracer-trace print or inspect",
      1,
    );
  }
  const text = fs.readFileSync(info.eventsFile, "utf8");
  let events: TraceLowLevelEvent[];
  try {
    events = parseTraceJson(text, name);
  } catch (error) {
    if (!(error instanceof TraceFormatError)) throw error;
    let partial;
    try {
      partial = parseUnfinishedTraceJson(text, name);
    } catch {
      throw new TraceCommandError(`${info.eventsFile}: cannot be read: ${error.message}`, 1);
    }
    events = partial.events;
    warnings.push(
      `${name} is not a finished JSON array: the recording did not finish (killed, or still running) or the file was cut. ` +
        `Shown: its ${events.length.toLocaleString("en-US")} whole events; the last ${(text.length - partial.keep).toLocaleString("en-US")} characters are left out.`,
    );
  }
  const sink = new MemoryByteSink();
  const writer = new TraceBinWriter(sink);
  try {
    for (const event of events) writer.write(event);
    writer.finish();
    checkDecompressed(info, writer.cborBytes);
  } catch (error) {
    if (error instanceof TraceCommandError) throw error;
    throw new TraceCommandError(`${info.eventsFile}: cannot be read: ${(error as Error).message}`, 1);
  }
  return { bytes: sink.bytes(), warnings };
}

/**
 * Refuses events a page could not hold.
 * @throws {@link TraceCommandError} (exit 1) when `bytes` of decompressed events exceed {@link MAX_DECOMPRESSED_BYTES}
 */
function checkDecompressed(info: TraceFolderInfo, bytes: number): void {
  if (bytes <= MAX_DECOMPRESSED_BYTES) return;
  throw new TraceCommandError(
    `${info.eventsFile}: its events take ${mb(bytes)} decompressed, more than a page can hold (${mb(MAX_DECOMPRESSED_BYTES)}, about 20 M events); ` +
      "use codetracer-trace print (--function, --from-step/--to-step) or inspect",
    1,
  );
}

/** The folder and its worker and child folders, recursively, in metadata order, labelled by their path from the top one. */
function collectFolders(top: TraceFolderInfo): Array<{ info: TraceFolderInfo; label: string; kind: FolderData["kind"] }> {
  const out: Array<{ info: TraceFolderInfo; label: string; kind: FolderData["kind"] }> = [];
  const seen = new Set<string>();
  const visit = (info: TraceFolderInfo, kind: FolderData["kind"]): void => {
    if (seen.has(info.dir) || out.length >= MAX_FOLDERS) return;
    seen.add(info.dir);
    const rel = path.relative(top.dir, info.dir).split(path.sep).join("/");
    const label = kind === "main" ? `main (${path.basename(top.dir)})` : `${kind} ${rel}`;
    out.push({ info, label, kind });
    for (const sub of info.subFolders) {
      let subInfo: TraceFolderInfo;
      try {
        subInfo = openTraceFolder(sub.dir);
      } catch {
        continue; // listed in the metadata but holds no events: nothing to show
      }
      visit(subInfo, sub.kind);
    }
  };
  visit(top, "main");
  return out;
}

/** Reads the sources named by the folders' `trace_paths.json` files. */
function readSources(files: Iterable<string>): Record<string, { text: string } | { missing: string }> {
  const sources: Record<string, { text: string } | { missing: string }> = {};
  for (const file of files) {
    if (file in sources) continue;
    try {
      const stat = fs.statSync(file);
      if (!stat.isFile()) sources[file] = { missing: "not a file" };
      else if (stat.size > MAX_SOURCE_BYTES) sources[file] = { missing: `${mb(stat.size)}, larger than the ${mb(MAX_SOURCE_BYTES)} a page embeds` };
      else sources[file] = { text: fs.readFileSync(file, "utf8") };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      sources[file] = {
        missing: code === "ENOENT" ? "the file no longer exists (or is on another machine)" : `it cannot be read (${code ?? (error as Error).message})`,
      };
    }
  }
  return sources;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c]!);
/** JSON safe inside a `<script>` element. */
const scriptJson = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");

function viewerFile(name: string): string {
  const file = fileURLToPath(new URL(`../viewer/${name}`, import.meta.url));
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    throw new TraceCommandError(`the viewer page ${file} is missing: build the package (npm run build runs build-viewer.mjs)`, 1);
  }
}

/**
 * Builds the HTML of a view of `dir`.
 *
 * @param dir - the trace folder
 * @returns the page, and the number of folders in it
 * @throws {@link TraceCommandError} exit 2 when `dir` is not a trace folder; exit 1 when its
 *   events cannot be read at all (a worker's or child's folder that cannot be read is shown
 *   as an error inside the page instead)
 */
export function buildViewHtml(dir: string): { html: string; folders: number } {
  const top = openTraceFolder(dir);
  const folders = collectFolders(top);
  const data: FolderData[] = [];
  const traces: string[] = [];
  const paths = new Set<string>();
  folders.forEach(({ info, label, kind }, i) => {
    const entry: FolderData = {
      label,
      kind,
      dir: info.dir,
      metadata: info.metadata as Record<string, unknown> | null,
      unfinished: info.unfinished,
      format: info.format,
      eventsBytes: info.eventsBytes,
      trace: null,
      warnings: [],
      error: null,
    };
    if (info.unfinished) entry.warnings.push(`This recording did not finish: ${path.basename(info.dir)} has no trace_metadata.json.`);
    try {
      const embedded = embedEvents(info);
      entry.trace = `ct-trace-${i}`;
      entry.warnings.push(...embedded.warnings);
      traces.push(
        `<script type="application/octet-stream" id="${entry.trace}">${Buffer.from(embedded.bytes.buffer, embedded.bytes.byteOffset, embedded.bytes.byteLength).toString("base64")}</script>`,
      );
    } catch (error) {
      if (i === 0 || !(error instanceof TraceCommandError)) throw error;
      entry.error = error.message;
    }
    for (const p of readTracePaths(info)) paths.add(p);
    data.push(entry);
  });
  const program = typeof top.metadata?.program === "string" ? top.metadata.program : top.dir;
  const page = { version: 1, generator: "codetracer-trace view", folders: data, sources: readSources(paths) };
  const script = viewerFile("viewer.js").replace(/<\/(script)/gi, "<\\/$1");
  const parts: Record<string, string> = {
    TITLE: escapeHtml(`${path.basename(program)} — CodeTracer trace`),
    STYLE: viewerFile("viewer.css"),
    DATA: scriptJson(page),
    TRACES: traces.join("\n"),
    SCRIPT: script,
  };
  // A function replacer: the parts may hold `$` sequences that a replacement string would expand.
  const html = viewerFile("page.html").replace(/\{\{(TITLE|STYLE|DATA|TRACES|SCRIPT)\}\}/g, (_m, key: string) => parts[key]!);
  return { html, folders: data.length };
}

/**
 * Opens `file` with the platform's opener (`open` on macOS, `start` on Windows, `xdg-open`
 * elsewhere), detached. Never throws: when there is no opener it says so on stderr.
 */
export function openInBrowser(file: string): void {
  const [command, args] =
    process.platform === "darwin" ? ["open", [file]] : process.platform === "win32" ? ["cmd", ["/c", "start", '""', `"${file}"`]] : ["xdg-open", [file]];
  const note = (why: string): void => {
    process.stderr.write(`codetracer-trace: could not open it (${why}); open ${file} in a browser\n`);
  };
  try {
    const child = spawn(command as string, args as string[], { detached: true, stdio: "ignore", windowsVerbatimArguments: process.platform === "win32" });
    child.on("error", (error: NodeJS.ErrnoException) => note(error.code === "ENOENT" ? `no ${command as string}` : error.message));
    // Unreferenced once started, so the command does not wait for the browser; until then an
    // error (no opener) still gets its note.
    child.on("spawn", () => child.unref());
  } catch (error) {
    note((error as Error).message);
  }
}

/**
 * Runs the command.
 * @returns 0 when the file was written
 * @throws {@link TraceCommandError} exit 2 for a usage error or a folder that is not a trace;
 *   exit 1 when the trace cannot be read or the file cannot be written
 */
export async function run(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  const { html, folders } = buildViewHtml(options.dir);
  const out = path.resolve(options.output);
  try {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, html);
  } catch (error) {
    throw new TraceCommandError(`cannot write ${options.output}: ${(error as Error).message}`, 1);
  }
  process.stdout.write(`wrote ${options.output} (${mb(Buffer.byteLength(html))}${folders > 1 ? `, ${folders} trace folders` : ""}): open it in a browser\n`);
  if (options.open) openInBrowser(out);
  return 0;
}
