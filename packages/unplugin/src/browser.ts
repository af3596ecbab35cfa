/**
 * The runtime of a page built by Vite with the plugin (`unplugin-codetracer/browser`, bundled
 * into the page): the same recorder as on Node runs in the page, and its events go to the Vite
 * dev server, whose middleware (`./dev-server.ts`) writes the trace folder. Nothing here imports
 * a Node module (the recorder, the runtime host and the JSON encoder come from browser-safe
 * subpath exports of `@codetracer/runtime` and `@codetracer/trace-format`).
 *
 * Wire format: `POST <endpoint>/events` with a JSON {@link EventBatch} (see `./wire.ts`);
 * batches carry the session id and a sequence number, so the server writes them in order
 * whatever order they arrive in, and a batch sent twice is written once.
 * @packageDocumentation
 */
import { stringifyJson } from "@codetracer/trace-format/json-writer";
import type { TraceLowLevelEvent } from "@codetracer/trace-format/types";
import { attrPolicyOf } from "@codetracer/runtime/attr-policy";
import { runtimeHost } from "@codetracer/runtime/host";
import { Recorder, type RecorderOptions } from "@codetracer/runtime/recorder";
import { createRecordingScope, portablePlatform } from "@codetracer/trace-filter/browser";
import { EVENTS_PATH, type EventBatch } from "./wire.js";

export type { EventBatch } from "./wire.js";

/** Options generated into the page by the plugin (`runtimeModuleSource` in `./core.ts`). */
export interface BrowserRecordingOptions {
  /** The dev server's path prefix for the recorder: `/__codetracer__`. Batches go to `<endpoint>/events`. */
  endpoint: string;
  /**
   * The plugin's `format` option, for information: the dev server writes the trace in its own
   * configured format (`binary`: `trace.bin`, `json`: `trace.json`); the page always sends JSON.
   */
  format?: "binary" | "json";
  /**
   * The build's trace-filter texts, builtin first (as the plugin composed its chain): the page
   * redacts and drops object fields by their `attr` rules, as a Node recording does. Locals,
   * arguments and returns are decided when the file is instrumented.
   */
  filters?: Array<{ path: string; root: string; text: string }>;
  /** The npm package of the project's own files (what `pkg:` selectors match outside `node_modules`). */
  projectPackage?: string;
}

/**
 * A batch is sent when its events' JSON reaches this many UTF-16 code units (about 60 KB of
 * ASCII), or {@link BATCH_DELAY_MS} after its first event. Batches of at most 64 KiB can be sent
 * with `keepalive` (and as beacons), which the browser delivers even when the page goes away.
 */
const BATCH_CHARS = 60_000;
/** ms after its first event that a batch is sent, however small. */
const BATCH_DELAY_MS = 100;
/** The browser's budget for `keepalive` requests and beacons in flight (64 KiB), with some room. */
const KEEPALIVE_BYTES = 63_000;
/** The events of one beacon at pagehide take at most this many bytes (the batch's own fields need a few more). */
const BEACON_EVENT_BYTES = 60_000;
/**
 * ms without a batch after which the page sends an empty one (a heartbeat): well under the dev
 * server's idle timeout (`IDLE_TIMEOUT_MS`, 10 minutes), also where a background tab's timers
 * run at most once a minute.
 */
const HEARTBEAT_MS = 3 * 60 * 1000;
/** ms to wait before each new try of a batch that failed (network error, 429, 5xx); then it is given up. */
const RETRY_DELAYS_MS = [250, 1000, 4000, 10_000];

/** The page's globals this module uses (the package is compiled without the DOM library). */
interface PageGlobals {
  location?: { href: string };
  navigator?: { sendBeacon?(url: string, data: Blob): boolean };
  document?: { visibilityState: string };
  addEventListener?(type: string, listener: (event: { persisted?: boolean }) => void): void;
}
const page = globalThis as unknown as PageGlobals;

/**
 * The functions this module calls, taken when it loads (before the page's own modules run:
 * every instrumented module imports the runtime first), so a page that wraps `fetch` or
 * `setTimeout` (a polyfill, a mock, instrumented code) never sees the recorder's requests.
 */
const native = {
  fetch: globalThis.fetch?.bind(globalThis),
  sendBeacon: page.navigator?.sendBeacon?.bind(page.navigator),
  setTimeout: globalThis.setTimeout.bind(globalThis),
  clearTimeout: globalThis.clearTimeout.bind(globalThis),
  now: Date.now,
  Blob: globalThis.Blob,
  TextEncoder: globalThis.TextEncoder,
  warn: console.warn.bind(console),
};

/** A batch on its way: its JSON, kept until the server has answered it (2xx or 400). */
interface Outgoing {
  seq: number;
  body: Uint8Array;
  tries: number;
  /** Sent with `keepalive` (counted in the budget until answered): the browser delivers it after the page is gone. */
  keepalive: boolean;
}

let started = false;

/**
 * Records the page from now until it is hidden for good: installs the runtime host
 * (`globalThis.__codetracer__`, the ABI of `@codetracer/runtime/abi`) with the recorder of
 * `@codetracer/runtime`, whose events are sent to the dev server in batches (about 60 KB of
 * JSON, or what {@link BATCH_DELAY_MS} ms gathered), each numbered in order.
 *
 * - A batch that fails (network error, 429, 5xx) is sent again (after 0.25 s, 1 s, 4 s, 10 s),
 *   then given up (the server's folder then ends before it, `partial`). One the server refuses
 *   (400) is not sent again: a warning names it on the console.
 * - When the page is hidden (`visibilitychange`) the events so far are sent at once with
 *   `keepalive`, so a tab killed while in the background loses nothing sent.
 * - On `pagehide` (not when the page goes into the back/forward cache: it may come back) the
 *   recording is finished (every open frame returns; the top-level call returns `<pagehide>`),
 *   the runtime records nothing more, and the rest (with the batches not answered yet) is sent
 *   with `navigator.sendBeacon`, the last batch marked `done`. The browser delivers at most
 *   64 KiB of beacons and `keepalive` requests in flight: beyond that the tail is lost and the
 *   server marks the folder `partial`.
 *
 * Idempotent; does nothing when a recorder is attached already (another copy of the runtime).
 * Never throws into the page: a recorder failure detaches it with a console warning (the page
 * runs on unrecorded). A Proxy cannot be told from its target in a page, so capturing a
 * Proxy's value may run its `get`/`getOwnPropertyDescriptor` traps (on Node they never run).
 *
 * @param options - see {@link BrowserRecordingOptions}
 */
export function startBrowserRecording(options: BrowserRecordingOptions): void {
  if (started || runtimeHost().attached) return;
  started = true;
  if (!native.fetch) {
    native.warn("codetracer: this page has no fetch(): it is not recorded");
    return;
  }
  const url = `${options.endpoint.replace(/\/+$/, "")}${EVENTS_PATH}`;
  const program = page.location?.href ?? "<page>";
  const session = sessionId();
  const encoder = new native.TextEncoder();
  let seq = 0;
  /** Events recorded and not sent yet, as JSON texts. */
  let queue: string[] = [];
  let queueChars = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;
  let keepaliveBytes = 0;
  const unanswered = new Map<number, Outgoing>();

  /** The JSON of batch `seq` with `events` (already JSON texts), as UTF-8. */
  const encode = (batchSeq: number, events: string[], done: boolean): Uint8Array => {
    const head: Omit<EventBatch, "events"> = { session, seq: batchSeq };
    if (batchSeq === 0) head.program = program;
    if (done) head.done = true;
    const json = stringifyJson(head)!;
    return encoder.encode(`${json.slice(0, -1)},"events":[${events.join(",")}]}`);
  };

  const answered = (out: Outgoing): void => {
    if (!unanswered.delete(out.seq)) return;
    if (out.keepalive) keepaliveBytes -= out.body.length;
  };

  const post = (out: Outgoing): void => {
    out.tries++;
    out.keepalive = out.body.length <= KEEPALIVE_BYTES - keepaliveBytes;
    if (out.keepalive) keepaliveBytes += out.body.length;
    const sent = out.keepalive;
    const request = native.fetch!(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: out.body,
      keepalive: sent,
    });
    request.then(
      async (response) => {
        if (response.ok || response.status === 400 || response.status === 413) {
          answered(out);
          if (!response.ok) {
            const reason = await response.text().catch(() => String(response.status));
            native.warn(`codetracer: the dev server refused batch ${out.seq} of session ${session}: ${reason}`);
          }
          return;
        }
        retry(out, sent);
      },
      () => retry(out, sent),
    );
  };

  /** After a failed try: counts it out of the keepalive budget, and tries again later (or gives up). */
  const retry = (out: Outgoing, sentWithKeepalive: boolean): void => {
    if (sentWithKeepalive && out.keepalive) {
      keepaliveBytes -= out.body.length;
      out.keepalive = false;
    }
    if (finished) return; // pagehide sends it again
    const delay = RETRY_DELAYS_MS[out.tries - 1];
    if (delay === undefined) {
      unanswered.delete(out.seq);
      native.warn(`codetracer: batch ${out.seq} of session ${session} could not be sent to the dev server; the trace will end before it`);
      return;
    }
    native.setTimeout(() => {
      if (unanswered.has(out.seq) && !finished) post(out);
    }, delay);
  };

  /** When the last batch was sent (ms, the page's clock). */
  let lastSent = native.now();

  /**
   * Sends the queued events now as one batch (nothing when the queue is empty, unless
   * `heartbeat`: then an empty batch, which tells the server the page is still open).
   */
  const send = (heartbeat = false): void => {
    if (timer !== undefined) native.clearTimeout(timer);
    timer = undefined;
    if ((queue.length === 0 && !heartbeat) || finished) return;
    lastSent = native.now();
    const out: Outgoing = { seq, body: encode(seq, queue, false), tries: 0, keepalive: false };
    seq++;
    queue = [];
    queueChars = 0;
    unanswered.set(out.seq, out);
    post(out);
  };

  const recorder = new Recorder({
    attrPolicy: pageAttrPolicy(options),
    sink: {
      write(event: TraceLowLevelEvent) {
        const json = stringifyJson(event)!;
        queue.push(json);
        queueChars += json.length + 1;
        if (queueChars >= BATCH_CHARS) send();
        else timer ??= native.setTimeout(send, BATCH_DELAY_MS);
      },
    },
    onInternalError: (error) => native.warn("codetracer: the recorder failed, the page runs on unrecorded", error),
  });
  recorder.begin(program);
  runtimeHost().attach(recorder, null);

  // A page that records nothing for a while still sends an empty batch every HEARTBEAT_MS, so
  // the dev server does not take an open page for a closed one (it finishes a session idle for
  // 10 minutes, IDLE_TIMEOUT_MS of ./wire.ts).
  const heartbeat = (): void => {
    if (finished) return;
    if (native.now() - lastSent >= HEARTBEAT_MS) send(true);
    native.setTimeout(heartbeat, HEARTBEAT_MS);
  };
  native.setTimeout(heartbeat, HEARTBEAT_MS);

  /** `body` as a beacon, else as a `keepalive` request (both outlive the page). */
  const beacon = (body: Uint8Array): void => {
    const blob = new native.Blob([body as Uint8Array<ArrayBuffer>], { type: "application/json" });
    if (native.sendBeacon?.(url, blob)) return;
    native.fetch!(url, { method: "POST", keepalive: true, headers: { "content-type": "application/json" }, body }).catch(() => {});
  };

  page.addEventListener?.("visibilitychange", () => {
    if (page.document?.visibilityState === "hidden") send();
  });
  page.addEventListener?.("pagehide", (event) => {
    if (finished) return;
    if (event.persisted) {
      send(); // kept in the back/forward cache: it may come back, or be dropped without another event
      return;
    }
    runtimeHost().detach(recorder);
    recorder.finish(undefined, "<pagehide>");
    finished = true;
    if (timer !== undefined) native.clearTimeout(timer);
    timer = undefined;
    // Requests without keepalive are cancelled with the page: those not answered go again.
    for (const out of [...unanswered.values()].sort((a, b) => a.seq - b.seq)) {
      if (!out.keepalive) beacon(out.body);
    }
    const tail = cut(queue, encoder);
    tail.forEach((events, i) => beacon(encode(seq++, events, i === tail.length - 1)));
    queue = [];
  });
}

/** A policy that redacts every field: what the page records when its filters cannot be read (fail closed). */
const redactEveryField: NonNullable<RecorderOptions["attrPolicy"]> = () => () => "redact";

/**
 * The field policy of the build's filters (see {@link BrowserRecordingOptions.filters}); without
 * filters (a runtime module of an older plugin), none. A filter that does not parse here (it did
 * at build time, so only a broken page could cause it) redacts every field, with a warning.
 */
function pageAttrPolicy(options: BrowserRecordingOptions): RecorderOptions["attrPolicy"] {
  if (!options.filters || options.filters.length === 0) return undefined;
  try {
    portablePlatform.projectPackage = options.projectPackage;
    return attrPolicyOf(createRecordingScope({ filters: options.filters }).chain);
  } catch (error) {
    native.warn("codetracer: the trace filters cannot be read in the page; every object field is redacted", error);
    return redactEveryField;
  }
}

/**
 * `events` (JSON texts) cut into batches whose events take at most {@link BEACON_EVENT_BYTES}
 * bytes of UTF-8 (one event larger than that is a batch of its own); one empty batch when there
 * are none, so the last batch, marked `done`, always exists.
 */
function cut(events: string[], encoder: { encode(text: string): Uint8Array }): string[][] {
  const out: string[][] = [[]];
  let bytes = 0;
  for (const event of events) {
    const size = encoder.encode(event).length + 1;
    const current = out[out.length - 1]!;
    if (current.length > 0 && bytes + size > BEACON_EVENT_BYTES) {
      out.push([event]);
      bytes = size;
    } else {
      current.push(event);
      bytes += size;
    }
  }
  return out;
}

/** An id for this page load that sorts by time (UTC, to the millisecond): `20260321T101500123Z-` and 10 random hex digits. */
function sessionId(): string {
  const time = new Date().toISOString().replace(/[-:.]/g, "");
  const bytes = new Uint8Array(5);
  globalThis.crypto.getRandomValues(bytes);
  return `${time}-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
