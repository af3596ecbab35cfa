/**
 * The page of `codetracer-trace view` (docs/commands.md, "view"): reads the data the command
 * embedded (a JSON block with the folders, their metadata and the sources; one base64
 * `trace.bin` per folder), indexes the chosen folder's events (./trace-index.ts) while showing
 * progress, and draws the call tree, the source with executed lines and hit counts, and the
 * step controls with the locals. Everything is drawn lazily (virtualised lists), so a trace of
 * millions of events stays responsive. Nothing is fetched: the page works from `file://`.
 */
import { callArgs, decompressTraceBin, frameError, readFrames, formatValue, indexEvents, localsAt, returnValue, type TraceIndex } from "./trace-index.js";
import { VirtualList } from "./virtual-list.js";

/** One trace folder as the command embedded it. */
interface FolderData {
  label: string;
  kind: "main" | "worker" | "child";
  dir: string;
  metadata: Record<string, unknown> | null;
  unfinished: boolean;
  format: "binary" | "json";
  eventsBytes: number;
  /** Id of the `<script>` holding the base64 trace.bin, or null when it could not be embedded. */
  trace: string | null;
  warnings: string[];
  error: string | null;
}

/** The embedded JSON block. */
interface PageData {
  version: number;
  generator: string;
  folders: FolderData[];
  sources: Record<string, { text: string } | { missing: string }>;
}

/** What tests and curious users can read from the console. */
interface ViewerState {
  /** Milliseconds from the page's start to the first folder drawn. */
  loadMs: number;
  /** Milliseconds spent on each part of the last load: base64, zstd, index, drawing. */
  timings: Record<string, number>;
  eventCount: number;
  stepCount: number;
  callCount: number;
  step: number;
}

declare global {
  interface Window {
    codetracerViewer?: ViewerState;
  }
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

const fmt = (n: number): string => n.toLocaleString("en-US");
const size = (n: number): string => (n < 1e6 ? `${(n / 1e3).toFixed(1)} kB` : `${(n / 1e6).toFixed(1)} MB`);
const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p;

function message(kind: "warning" | "error", text: string): void {
  const box = $("messages");
  box.append(el("div", `message ${kind}`, text));
  box.hidden = false;
}

function fail(error: unknown): void {
  document.body.dataset.state = "error";
  $("loading").hidden = true;
  message("error", `This trace cannot be shown: ${(error as Error)?.message ?? String(error)}`);
}

function base64ToBytes(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  const from = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (from) return from(clean);
  const bin = atob(clean);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Runs a generator of the index module, yielding to the page between its steps so it repaints. */
async function runYielding<T>(gen: Generator<number, T>, onProgress: (f: number) => void): Promise<T> {
  let last = performance.now();
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
    if (performance.now() - last > 50) {
      onProgress(r.value);
      await new Promise((resolve) => setTimeout(resolve, 0));
      last = performance.now();
    }
  }
}

declare const ZSTD_WORKER_SOURCE: string;

/**
 * Decompresses the frames of an embedded `trace.bin` in workers, several at once (one per core,
 * at most 4). Resolves to `null` when workers cannot be started here (then the page does it
 * itself).
 * @throws Error naming the frame that does not decompress
 */
async function decompressInWorkers(bytes: Uint8Array, onProgress: (f: number) => void): Promise<Uint8Array | null> {
  const { body, frames, total } = readFrames(bytes);
  const count = Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 0, frames.length));
  let url: string;
  const workers: Worker[] = [];
  try {
    url = URL.createObjectURL(new Blob([ZSTD_WORKER_SOURCE], { type: "text/javascript" }));
    for (let i = 0; i < count; i++) workers.push(new Worker(url));
  } catch {
    for (const w of workers) w.terminate();
    return null;
  }
  const out = new Uint8Array(total);
  try {
    return await new Promise<Uint8Array | null>((resolve, reject) => {
      let next = 0;
      let done = 0;
      let bytesDone = 0;
      const send = (w: Worker): void => {
        while (next < frames.length && frames[next]!.decompressedSize === 0) {
          next++;
          done++;
        }
        if (next >= frames.length) {
          if (done === frames.length) resolve(out);
          return;
        }
        const id = next++;
        const f = frames[id]!;
        const frame = body.slice(f.offset, f.offset + f.compressedSize);
        w.postMessage({ id, frame }, [frame.buffer]);
      };
      for (const w of workers) {
        w.onmessage = (event: MessageEvent<{ id: number; out?: Uint8Array; error?: string }>) => {
          const { id, out: data, error } = event.data;
          const f = frames[id]!;
          if (error !== undefined || !data) return reject(frameError(id, f, error ?? "no data"));
          if (data.length !== f.decompressedSize)
            return reject(frameError(id, f, `it holds ${data.length} bytes, its seek table entry says ${f.decompressedSize}`));
          out.set(data, f.outOffset);
          done++;
          bytesDone += data.length;
          onProgress(bytesDone / (total || 1));
          if (done === frames.length) resolve(out);
          else send(w);
        };
        // A worker that cannot run (a policy forbids blob: workers): the page does it itself.
        w.onerror = (event) => {
          event.preventDefault();
          resolve(null);
        };
        send(w);
      }
      if (frames.length === 0) resolve(out);
    });
  } finally {
    for (const w of workers) w.terminate();
    URL.revokeObjectURL(url);
  }
}

const started = performance.now();
const timings: Record<string, number> = {};
let page: PageData;
const indexes = new Map<number, TraceIndex>();

/** The view of one indexed folder. */
class View {
  step = 0;
  selected = -1;
  rows: number[] = [];
  expanded: Uint8Array;
  shownPath = -1;
  lines: string[] = [];
  readonly tree: VirtualList;
  readonly source: VirtualList;

  constructor(readonly ix: TraceIndex) {
    this.expanded = new Uint8Array(ix.callCount);
    this.tree = new VirtualList("tree", 22, (i) => this.treeRow(i));
    this.source = new VirtualList("source", 18, (i) => this.sourceRow(i));
    $("tree-box").replaceChildren(this.tree.element);
    $("source-box").replaceChildren(this.source.element);
    this.rows = this.children(-1);
    this.tree.setCount(this.rows.length);
    const slider = $<HTMLInputElement>("step-slider");
    slider.min = "0";
    slider.max = String(Math.max(0, ix.stepCount - 1));
    $("file-select").replaceChildren(
      ...ix.paths.map((p, i) => {
        const o = el("option", undefined, `${baseName(p)}${page.sources[p] && "missing" in page.sources[p]! ? " (source missing)" : ""}`);
        o.value = String(i);
        o.title = p;
        return o;
      }),
    );
    if (ix.stepCount > 0) this.goto(0);
    else {
      $("step-info").textContent = "This trace has no steps.";
      if (ix.paths.length > 0) this.showPath(0);
    }
  }

  /** The calls directly under `c` (-1: the top-level calls), in order. */
  children(c: number): number[] {
    const ix = this.ix;
    const out: number[] = [];
    let j = c + 1;
    const end = c < 0 ? ix.callCount : ix.callEnd[c]!;
    while (j < end) {
      out.push(j);
      const next = ix.callEnd[j]!;
      j = next > j ? next : j + 1;
    }
    return out;
  }

  hasChildren(c: number): boolean {
    return this.ix.callEnd[c]! > c + 1;
  }

  toggle(c: number): void {
    const at = this.rows.indexOf(c);
    if (at < 0) return;
    if (this.expanded[c]) {
      const depth = this.ix.callDepth[c]!;
      let k = at + 1;
      while (k < this.rows.length && this.ix.callDepth[this.rows[k]!]! > depth) {
        this.expanded[this.rows[k]!] = 0;
        k++;
      }
      this.rows.splice(at + 1, k - at - 1);
      this.expanded[c] = 0;
    } else {
      this.rows = this.rows.slice(0, at + 1).concat(this.children(c), this.rows.slice(at + 1));
      this.expanded[c] = 1;
    }
    this.tree.setCount(this.rows.length);
  }

  /** Expands the ancestors of `c` and scrolls the tree to it. */
  revealCall(c: number): void {
    const chain: number[] = [];
    for (let p = this.ix.callParent[c]!; p >= 0; p = this.ix.callParent[p]!) chain.push(p);
    for (let i = chain.length - 1; i >= 0; i--) if (!this.expanded[chain[i]!]) this.toggle(chain[i]!);
    const at = this.rows.indexOf(c);
    if (at >= 0) this.tree.reveal(at);
  }

  callLabel(c: number, withValues: boolean): string {
    const ix = this.ix;
    const f = ix.functions[ix.callFunc[c]!];
    const name = f?.name ?? `function #${ix.callFunc[c]}`;
    if (!withValues) return name;
    let args = "";
    try {
      args = callArgs(ix, c)
        .map((a) => `${a.name}=${formatValue(ix, a.value, 40)}`)
        .join(", ");
    } catch {
      args = "…";
    }
    let ret = "";
    try {
      const r = returnValue(ix, c);
      ret = r === undefined ? " (no return)" : ` → ${formatValue(ix, r, 40)}`;
    } catch {
      ret = "";
    }
    const text = `${name}(${args})${ret}`;
    return text.length > 160 ? `${text.slice(0, 160)}…` : text;
  }

  treeRow(i: number): HTMLElement {
    const ix = this.ix;
    const c = this.rows[i]!;
    const row = el("div", "tree-row");
    row.dataset.call = String(c);
    const depth = ix.callDepth[c]!;
    if (c === this.selected) row.classList.add("selected");
    if (c === ix.stepCall[this.step]) row.classList.add("current");
    const indent = el("span", "indent");
    indent.style.width = `${Math.min(depth, 40) * 14}px`;
    const twisty = el("span", "twisty", this.hasChildren(c) ? (this.expanded[c] ? "▾" : "▸") : "");
    twisty.addEventListener("click", (e) => {
      e.stopPropagation();
      if (this.hasChildren(c)) this.toggle(c);
    });
    const label = el("span", "call-label", this.callLabel(c, true));
    const f = ix.functions[ix.callFunc[c]!];
    const where = el("span", "call-where", f ? `${baseName(ix.paths[f.pathId] ?? "?")}:${f.line}` : "");
    if (depth > 40) indent.textContent = `+${depth - 40}`;
    row.append(indent, twisty, label, where);
    row.title = `call #${c}, depth ${depth}`;
    row.addEventListener("click", () => this.selectCall(c, true));
    row.addEventListener("dblclick", () => this.hasChildren(c) && this.toggle(c));
    return row;
  }

  selectCall(c: number, moveStep: boolean): void {
    this.selected = c;
    const first = this.ix.callFirstStep[c]!;
    if (moveStep && first >= 0) this.goto(first, false);
    this.showCall();
    this.tree.draw();
  }

  showCall(): void {
    const ix = this.ix;
    const c = this.selected;
    const box = $("call-details");
    if (c < 0) {
      box.replaceChildren(el("div", "muted", "Select a call in the tree."));
      return;
    }
    const f = ix.functions[ix.callFunc[c]!];
    const head = el("div", "call-head", this.callLabel(c, false));
    const where = el(
      "div",
      "muted",
      f ? `${ix.paths[f.pathId] ?? "?"}:${f.line} · call #${c} · ${fmt(ix.funcCalls[ix.callFunc[c]!] ?? 0)} calls of it` : `call #${c}`,
    );
    const args = el("div", "values");
    for (const a of callArgs(ix, c)) args.append(valueRow(ix, a.name, a.value));
    if (args.childElementCount === 0) args.append(el("div", "muted", "no arguments"));
    const ret = returnValue(ix, c);
    const retRow = el("div", "values");
    retRow.append(ret === undefined ? el("div", "muted", "did not return (the recording ended inside it)") : valueRow(ix, "return", ret));
    const buttons = el("div", "buttons");
    const toCall = el("button", undefined, "⇤ to its start");
    toCall.id = "goto-call";
    toCall.disabled = ix.callFirstStep[c]! < 0;
    toCall.addEventListener("click", () => this.goto(ix.callFirstStep[c]!));
    const toReturn = el("button", undefined, "to its return ⇥");
    toReturn.id = "goto-return";
    toReturn.disabled = ix.callLastStep[c]! < 0;
    toReturn.addEventListener("click", () => this.goto(ix.callLastStep[c]!));
    const prevCall = el("button", undefined, "◀ previous call of it");
    prevCall.addEventListener("click", () => this.sameFunction(c, -1));
    const nextCall = el("button", undefined, "next call of it ▶");
    nextCall.addEventListener("click", () => this.sameFunction(c, 1));
    buttons.append(toCall, toReturn, prevCall, nextCall);
    box.replaceChildren(head, where, el("h3", undefined, "Arguments"), args, el("h3", undefined, "Returned"), retRow, buttons);
  }

  /** Selects the previous (-1) or next (1) call of the same function as `c`. */
  sameFunction(c: number, dir: 1 | -1): void {
    const ix = this.ix;
    const fn = ix.callFunc[c]!;
    for (let j = c + dir; j >= 0 && j < ix.callCount; j += dir) {
      if (ix.callFunc[j] === fn) {
        this.revealCall(j);
        this.selectCall(j, true);
        return;
      }
    }
  }

  /** Moves to step `s`. */
  goto(s: number, follow = true): void {
    const ix = this.ix;
    if (ix.stepCount === 0) return;
    s = Math.max(0, Math.min(ix.stepCount - 1, s));
    this.step = s;
    if (window.codetracerViewer) window.codetracerViewer.step = s;
    const slider = $<HTMLInputElement>("step-slider");
    if (slider.value !== String(s)) slider.value = String(s);
    const path = ix.stepPath[s]!;
    const line = ix.stepLine[s]!;
    const c = ix.stepCall[s]!;
    const fnName = c >= 0 ? this.callLabel(c, false) : "(top level)";
    $("step-info").textContent = `step ${fmt(s + 1)} of ${fmt(ix.stepCount)} · ${baseName(ix.paths[path] ?? "?")}:${line} · in ${fnName}`;
    $("step-info").dataset.line = String(line);
    $("step-info").dataset.path = ix.paths[path] ?? "";
    this.showPath(path);
    this.source.reveal(line - 1);
    // locals
    const box = $("locals");
    try {
      const locals = localsAt(ix, s);
      box.replaceChildren(...locals.map((l) => valueRow(ix, l.name, l.value)));
      if (locals.length === 0) box.append(el("div", "muted", "no locals recorded at this step"));
    } catch (error) {
      box.replaceChildren(el("div", "message error", `the values of this step cannot be read: ${(error as Error).message}`));
    }
    // call stack
    const stack = $("stack");
    const items: HTMLElement[] = [];
    for (let p = c; p >= 0 && items.length < 200; p = ix.callParent[p]!) {
      const item = el("div", "stack-row", this.callLabel(p, false));
      const f = ix.functions[ix.callFunc[p]!];
      if (f) item.append(el("span", "call-where", ` ${baseName(ix.paths[f.pathId] ?? "?")}:${f.line}`));
      const target = p;
      item.addEventListener("click", () => {
        this.revealCall(target);
        this.selectCall(target, false);
      });
      items.push(item);
    }
    stack.replaceChildren(...items);
    if (follow && c >= 0) {
      this.selected = c;
      this.revealCall(c);
      this.showCall();
    }
    this.tree.draw();
  }

  /** Steps over calls: the next (1) or previous (-1) step whose call is no deeper than the current one. */
  over(dir: 1 | -1): void {
    const ix = this.ix;
    const c = ix.stepCall[this.step]!;
    const depth = c >= 0 ? ix.callDepth[c]! : -1;
    for (let s = this.step + dir; s >= 0 && s < ix.stepCount; s += dir) {
      const d = ix.stepCall[s]! >= 0 ? ix.callDepth[ix.stepCall[s]!]! : -1;
      if (d <= depth) return this.goto(s);
    }
  }

  showPath(path: number): void {
    if (path === this.shownPath) return;
    this.shownPath = path;
    const ix = this.ix;
    const name = ix.paths[path] ?? "";
    const src = page.sources[name];
    const hits = ix.hits[path];
    const note = $("source-note");
    if (src && "text" in src) {
      this.lines = src.text.split(/\r?\n/);
      note.hidden = true;
    } else {
      let max = 0;
      if (hits)
        for (let l = hits.length - 1; l > 0; l--)
          if (hits[l]) {
            max = l;
            break;
          }
      this.lines = new Array<string>(max).fill("");
      note.textContent = `The source of ${name} is not in this page: ${src && "missing" in src ? src.missing : "it was not found when the page was written"}. Executed lines and hit counts are shown without text.`;
      note.hidden = false;
    }
    $<HTMLSelectElement>("file-select").value = String(path);
    $("file-path").textContent = name;
    this.source.setCount(this.lines.length);
  }

  sourceRow(i: number): HTMLElement {
    const ix = this.ix;
    const line = i + 1;
    const hits = ix.hits[this.shownPath];
    const n = hits && line < hits.length ? hits[line]! : 0;
    const row = el("div", "src-row");
    row.dataset.line = String(line);
    if (n > 0) row.classList.add("hit");
    if (ix.stepPath[this.step] === this.shownPath && ix.stepLine[this.step] === line) row.classList.add("current");
    row.append(el("span", "hits", n > 0 ? fmt(n) : ""), el("span", "lineno", String(line)), el("span", "code", this.lines[i] ?? ""));
    row.title = n > 0 ? `executed ${fmt(n)} times; click to go to its next execution` : "not executed";
    if (n > 0) row.addEventListener("click", () => this.gotoLine(this.shownPath, line));
    return row;
  }

  /** Goes to the next step (after the current one, wrapping around) at `path:line`. */
  gotoLine(path: number, line: number): void {
    const ix = this.ix;
    for (let k = 1; k <= ix.stepCount; k++) {
      const s = (this.step + k) % ix.stepCount;
      if (ix.stepLine[s] === line && ix.stepPath[s] === path) return this.goto(s);
    }
  }

  search(query: string): void {
    const ix = this.ix;
    const box = $("search-results");
    const q = query.trim().toLowerCase();
    if (!q) {
      box.replaceChildren();
      box.hidden = true;
      return;
    }
    const found: HTMLElement[] = [];
    let total = 0;
    for (let fn = 0; fn < ix.functions.length; fn++) {
      const f = ix.functions[fn]!;
      if (!f.name.toLowerCase().includes(q)) continue;
      total++;
      if (found.length >= 200) continue;
      const calls = ix.funcCalls[fn] ?? 0;
      const item = el("div", "search-row");
      item.append(
        el("span", "call-label", f.name),
        el("span", "call-where", ` ${baseName(ix.paths[f.pathId] ?? "?")}:${f.line} · ${fmt(calls)} call${calls === 1 ? "" : "s"}`),
      );
      item.dataset.function = f.name;
      if (calls > 0) {
        item.addEventListener("click", () => {
          const first = ix.callFunc.indexOf(fn);
          if (first >= 0) {
            this.revealCall(first);
            this.selectCall(first, true);
          }
          box.hidden = true;
        });
      } else item.classList.add("muted");
      found.push(item);
    }
    if (total === 0) found.push(el("div", "muted", "no function by that name"));
    else if (total > found.length) found.push(el("div", "muted", `… and ${total - found.length} more`));
    box.replaceChildren(...found);
    box.hidden = false;
  }
}

function valueRow(ix: TraceIndex, name: string, value: unknown): HTMLElement {
  const row = el("div", "value-row");
  row.dataset.name = name;
  const text = formatValue(ix, value, 400);
  const v = el("span", "value", text);
  v.title = formatValue(ix, value, 4000);
  row.append(el("span", "name", name), el("span", "eq", " = "), v);
  return row;
}

let view: View | null = null;

async function showFolder(i: number): Promise<void> {
  const folder = page.folders[i]!;
  $("messages").replaceChildren();
  $("messages").hidden = true;
  for (const w of folder.warnings) message("warning", w);
  const meta = folder.metadata ?? {};
  const program = [meta.program, ...((meta.args as string[] | undefined) ?? [])].filter((x) => x !== undefined).join(" ");
  const status = meta.process_exit_status as { code?: number | null; label?: string | null } | undefined;
  const exit = folder.unfinished ? " · unfinished recording" : status ? ` · exit ${status.label ?? status.code ?? "?"}` : "";
  $("program").textContent = program || folder.dir;
  $("program").title = folder.dir;
  if (folder.error || !folder.trace) {
    fail(new Error(folder.error ?? "its events were not embedded"));
    return;
  }
  let ix = indexes.get(i);
  if (!ix) {
    $("loading").hidden = false;
    document.body.dataset.state = "loading";
    const progress = $("loading-text");
    const blob = document.getElementById(folder.trace)?.textContent ?? "";
    progress.textContent = "Decoding…";
    await new Promise((resolve) => setTimeout(resolve, 0));
    let t = performance.now();
    const bytes = base64ToBytes(blob);
    timings.base64 = Math.round(performance.now() - t);
    t = performance.now();
    const onZstd = (f: number): void => {
      progress.textContent = `Decompressing the events… ${Math.round(f * 100)}%`;
    };
    let events = location.hash.includes("no-workers") ? null : await decompressInWorkers(bytes, onZstd);
    timings.workers = events ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2)) : 0;
    events ??= await runYielding(decompressTraceBin(bytes), onZstd);
    timings.zstd = Math.round(performance.now() - t);
    t = performance.now();
    ix = await runYielding(indexEvents(events), (f) => {
      progress.textContent = `Indexing the events… ${Math.round(f * 100)}%`;
    });
    timings.index = Math.round(performance.now() - t);
    indexes.set(i, ix);
  }
  const drawStart = performance.now();
  for (const w of ix.warnings) message("warning", w);
  $("stats").textContent =
    `${fmt(ix.eventCount)} events · ${fmt(ix.stepCount)} steps · ${fmt(ix.callCount)} calls · ${folder.format === "json" ? "trace.json" : "trace.bin"} ${size(folder.eventsBytes)}${exit}`;
  view = new View(ix);
  $("loading").hidden = true;
  timings.draw = Math.round(performance.now() - drawStart);
  const state: ViewerState = window.codetracerViewer ?? { loadMs: 0, timings, eventCount: 0, stepCount: 0, callCount: 0, step: 0 };
  if (!window.codetracerViewer) state.loadMs = Math.round(performance.now() - started);
  Object.assign(state, { eventCount: ix.eventCount, stepCount: ix.stepCount, callCount: ix.callCount, step: view.step });
  window.codetracerViewer = state;
  document.body.dataset.state = "ready";
}

function wire(): void {
  const slider = $<HTMLInputElement>("step-slider");
  let pending = -1;
  slider.addEventListener("input", () => {
    const first = pending < 0;
    pending = Number(slider.value);
    if (first) {
      requestAnimationFrame(() => {
        const s = pending;
        pending = -1;
        view?.goto(s);
      });
    }
  });
  $("step-back").addEventListener("click", () => view?.goto(view.step - 1));
  $("step-forward").addEventListener("click", () => view?.goto(view.step + 1));
  $("over-back").addEventListener("click", () => view?.over(-1));
  $("over-forward").addEventListener("click", () => view?.over(1));
  $("step-first").addEventListener("click", () => view?.goto(0));
  $("step-last").addEventListener("click", () => view && view.goto(view.ix.stepCount - 1));
  document.addEventListener("keydown", (e) => {
    if (!view || (e.target instanceof HTMLInputElement && e.target.type !== "range") || e.target instanceof HTMLSelectElement) return;
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.preventDefault();
      const dir = e.key === "ArrowRight" ? 1 : -1;
      if (e.shiftKey) view.over(dir);
      else view.goto(view.step + dir);
    }
  });
  $<HTMLSelectElement>("file-select").addEventListener("change", (e) => view?.showPath(Number((e.target as HTMLSelectElement).value)));
  const search = $<HTMLInputElement>("search");
  search.addEventListener("input", () => view?.search(search.value));
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter") ($("search-results").querySelector(".search-row:not(.muted)") as HTMLElement | null)?.click();
    if (e.key === "Escape") $("search-results").hidden = true;
  });
  const select = $<HTMLSelectElement>("folder-select");
  if (page.folders.length > 1) {
    select.replaceChildren(
      ...page.folders.map((f, i) => {
        const o = el("option", undefined, f.label);
        o.value = String(i);
        return o;
      }),
    );
    select.hidden = false;
    select.addEventListener("change", () => {
      showFolder(Number(select.value)).catch(fail);
    });
  }
}

function start(): void {
  try {
    const text = $("ct-data")?.textContent;
    if (!text) throw new Error("the page holds no trace data (it was not written by codetracer-trace view)");
    page = JSON.parse(text) as PageData;
    if (page.version !== 1) throw new Error(`the page data is version ${page.version}; this viewer reads version 1`);
    if (page.folders.length === 0) throw new Error("the page holds no trace folder");
    wire();
  } catch (error) {
    fail(error);
    return;
  }
  showFolder(0).catch(fail);
}

// An error nobody caught is shown rather than leaving a page that silently stopped; the
// browser's benign "ResizeObserver loop" notice is not one.
window.addEventListener("error", (e) => {
  if (/ResizeObserver loop/.test(String(e.message))) return;
  fail(e.error ?? e.message);
});
start();
