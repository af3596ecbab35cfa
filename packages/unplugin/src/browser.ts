/**
 * The runtime of a page built by Vite with the plugin (`unplugin-codetracer/browser`, bundled
 * into the page): the recorder runs in the page and its events go to the Vite dev server, whose
 * middleware (`./dev-server.ts`) writes the trace folder. Nothing here imports a Node module.
 *
 * Wire format: `POST <endpoint>/events` with a JSON body {@link EventBatch}; batches carry a
 * sequence number so the server writes them in order whatever order they arrive in.
 * @packageDocumentation
 */
import type { TraceLowLevelEvent } from "@codetracer/trace-format/types";
import { runtimeHost } from "@codetracer/runtime/host";
import { Recorder } from "@codetracer/runtime/recorder";

/** One request of the page to the dev server. */
export interface EventBatch {
  /** The page session (one page load): letters, digits, `-` and `_`, at most 64. */
  session: string;
  /** 0, 1, 2, … per session: the order the events were recorded in. */
  seq: number;
  /** The recorder's events, in order (`TraceLowLevelEvent` JSON, trace-format spec). */
  events: TraceLowLevelEvent[];
  /** Only in the first batch: what the trace metadata names as the program (the page URL). */
  program?: string;
  /** The last batch: the page is going away, the server finishes the folder. */
  done?: boolean;
}

/** Options generated into the page by the plugin. */
export interface BrowserRecordingOptions {
  /** The dev server's path prefix for the recorder (`/__codetracer__`). */
  endpoint: string;
}

/** Events per batch, and the delay (ms) after which a partial batch is sent. */
const BATCH_EVENTS = 2000;
const BATCH_DELAY_MS = 100;
/** `navigator.sendBeacon` and `fetch(…, { keepalive })` bodies are limited to 64 KiB: the last batches are cut below that. */
const BEACON_BYTES = 60_000;

let started = false;

/** The page's globals this module uses (the package is compiled without the DOM library). */
interface PageGlobals {
  location: { href: string };
  navigator: { sendBeacon(url: string, data: Blob): boolean };
  addEventListener(type: "pagehide", listener: (event: { persisted: boolean }) => void): void;
}
const page = globalThis as unknown as PageGlobals;

/**
 * Records the page from now until it is hidden for good (`pagehide`): installs the runtime host
 * (`globalThis.__codetracer__`) with a recorder whose events are sent to the dev server in
 * batches (at most {@link BATCH_EVENTS} events, or what {@link BATCH_DELAY_MS} ms gathered). On
 * `pagehide` the recording is finished (the top-level call returns) and the rest is sent with
 * `navigator.sendBeacon`, so the tail is not lost when the tab closes. Idempotent.
 *
 * A Proxy cannot be told apart from its target in a page, so capturing a Proxy's value may run
 * its `get`/`getOwnPropertyDescriptor` traps (on Node they are never run).
 *
 * @param options - see {@link BrowserRecordingOptions}
 */
export function startBrowserRecording(options: BrowserRecordingOptions): void {
  if (started) return;
  started = true;
  const url = `${options.endpoint}/events`;
  const session = sessionId();
  let seq = 0;
  let queue: TraceLowLevelEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;
  let first = true;

  const batch = (events: TraceLowLevelEvent[], done: boolean): EventBatch => {
    const body: EventBatch = { session, seq: seq++, events };
    if (first) body.program = page.location.href;
    first = false;
    if (done) body.done = true;
    return body;
  };
  const send = () => {
    timer = undefined;
    if (queue.length === 0 || finished) return;
    const events = queue;
    queue = [];
    void fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(batch(events, false)) }).catch(() => {});
  };
  const recorder = new Recorder({
    sink: {
      write(event) {
        queue.push(event);
        if (queue.length >= BATCH_EVENTS) send();
        else timer ??= setTimeout(send, BATCH_DELAY_MS);
      },
    },
    onInternalError: (error) => console.warn("codetracer: the recorder failed, the page runs on unrecorded", error),
  });
  recorder.begin(page.location.href);
  runtimeHost().attach(recorder, null);
  page.addEventListener("pagehide", (event) => {
    if (finished || event.persisted) return; // kept in the back/forward cache: it may come back
    runtimeHost().detach(recorder);
    recorder.finish(0, "<pagehide>");
    finished = true;
    if (timer !== undefined) clearTimeout(timer);
    for (const body of lastBatches(queue, batch)) {
      const text = JSON.stringify(body);
      if (!page.navigator.sendBeacon(url, new Blob([text], { type: "application/json" }))) {
        void fetch(url, { method: "POST", keepalive: true, headers: { "content-type": "application/json" }, body: text }).catch(() => {});
      }
    }
    queue = [];
  });
}

/** The remaining events as batches small enough for a beacon, the last one marked `done`. */
function lastBatches(events: TraceLowLevelEvent[], batch: (events: TraceLowLevelEvent[], done: boolean) => EventBatch): EventBatch[] {
  const out: EventBatch[] = [];
  let current: TraceLowLevelEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = JSON.stringify(event).length;
    if (current.length > 0 && bytes + size > BEACON_BYTES) {
      out.push(batch(current, false));
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  out.push(batch(current, true));
  return out;
}

/** A random id for this page load. */
function sessionId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
