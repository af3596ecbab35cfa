/**
 * Trace filters, part 1: the builtin filter's secret redaction on real programs (JavaScript and
 * TypeScript, CommonJS and ES modules) recorded through the CLI.
 *
 * Every secret value in `test/fixtures/trace-filter/secrets/` is a marker `SECRET-<file>-<where>`
 * that the program prints (so stdout proves the value existed) and that must appear in no file
 * of the trace folder. Values under names the builtin must not redact (`author`, `company`,
 * `discard`, `bypass`, ...) are markers `VISIBLE-<file>-<where>` that must be recorded: they also
 * show that the byte search would find a marker that was written.
 *
 * The other parts: trace-filter-grammar (selectors, precedence, value rules),
 * trace-filter-skip (skipped files, --include/--exclude), trace-filter-metadata (the
 * `trace_filter` metadata), trace-filter-errors (bad filters).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ValueRecord } from "@codetracer/trace-format";
import { readMetadata } from "../utils/expect-trace.js";
import { cleanupTempDirs, describeRun } from "../utils/run.js";
import { TraceQuery, formatIssues } from "../utils/trace.js";
import {
  REDACTED,
  filesContaining,
  filesUnder,
  isRedacted,
  recordedInBeforeAll,
  stepValues,
  type Recording,
  type TraceFilterMetadata,
} from "../fixtures/trace-filter/harness.js";

afterAll(cleanupTempDirs);

/** What one secrets program must (not) leave in its trace. */
interface SecretsCase {
  script: string;
  /** Markers the program prints and the trace must never hold. */
  secrets: string[];
  /** Markers the trace must hold (names the builtin does not redact). */
  visible: string[];
  /** Where the redacted names are, with their `<redacted>` values (`workers`: the workers' traces). */
  check(q: TraceQuery, workers: TraceQuery[]): void;
}

/**
 * The call of `name`, which must have been called once (an async function or generator resumed
 * later gets another Call, without arguments, each time it resumes).
 */
function onlyCall(q: TraceQuery, name: string) {
  const calls = q.callsOf(name).filter((c) => c.argRecords.length > 0 || c === q.callsOf(name)[0]);
  expect(
    calls.map((c) => c.name),
    `calls of ${name}`,
  ).toEqual([name]);
  return calls[0]!;
}

/** The decoded values of local `name` at the steps of frames of `frame` (at least one). */
function localValues(q: TraceQuery, name: string, frame: string) {
  const values = stepValues(q, name, frame);
  expect(values.length, `steps of ${frame} recording ${name}`).toBeGreaterThan(0);
  return values.map((v) => q.decode(v));
}

/** Asserts every step of `frame` recording `name` has it redacted (Error `<redacted>`, Raw `Redacted`). */
function expectRedactedLocal(q: TraceQuery, name: string, frame: string): void {
  const values = stepValues(q, name, frame);
  expect(values.length, `steps of ${frame} recording ${name}`).toBeGreaterThan(0);
  for (const v of values) expect(isRedacted(q, v), `${frame}: ${name} = ${JSON.stringify(v)}`).toBe(true);
}

/** Asserts the argument `name` of every call of `fn` is redacted. */
function expectRedactedArg(q: TraceQuery, fn: string, name: string): void {
  const calls = q.callsOf(fn).filter((c) => c.argRecords.length > 0); // (not the resumptions)
  expect(calls.length, `calls of ${fn}`).toBeGreaterThan(0);
  for (const call of calls) {
    const index = Object.keys(call.args).indexOf(name);
    expect(index, `${fn} has an argument ${name}`).toBeGreaterThanOrEqual(0);
    expect(isRedacted(q, call.argRecords[index]!.value), `${fn}(${name})`).toBe(true);
  }
}

/** Asserts every Return of `fn` (yields and awaits included) is redacted. */
function expectRedactedReturns(q: TraceQuery, fn: string, atLeast = 1): void {
  const calls = q.callsOf(fn);
  expect(calls.length, `calls of ${fn}`).toBeGreaterThanOrEqual(atLeast);
  for (const call of calls) expect(isRedacted(q, call.returnRecord), `return of ${fn}: ${JSON.stringify(call.returnRecord)}`).toBe(true);
}

const CASES: SecretsCase[] = [
  {
    script: "cjs.js",
    secrets: [
      "SECRET-cjs-API_KEY",
      "SECRET-cjs-getSecret-x",
      "SECRET-cjs-getTokens-1",
      "SECRET-cjs-getTokens-2",
      "SECRET-cjs-Client.apiKey",
      "SECRET-cjs-authToken",
      "SECRET-cjs-userPassword",
      "SECRET-cjs-session_id",
      "SECRET-cjs-x-api-key",
      "SECRET-cjs-refreshToken",
      "SECRET-cjs-password",
      "SECRET-cjs-apiKey",
      "SECRET-cjs-creditCard",
    ],
    visible: [
      "VISIBLE-cjs-company",
      "VISIBLE-cjs-Client.author",
      "VISIBLE-cjs-client-name",
      "VISIBLE-cjs-author",
      "VISIBLE-cjs-discard",
      "VISIBLE-cjs-bypass",
      "VISIBLE-cjs-field-company",
      "VISIBLE-cjs-user",
    ],
    check(q) {
      // arguments: the name stays, the value is <redacted>
      const login = onlyCall(q, "login");
      expect(login.args).toEqual({ user: "VISIBLE-cjs-user", password: REDACTED, apiKey: REDACTED });
      expectRedactedArg(q, "login", "password");
      expectRedactedArg(q, "login", "apiKey");
      expectRedactedArg(q, "Client.charge", "creditCard");
      expect(onlyCall(q, "Client.charge").args.amount).toBe(5);
      // locals, and parameters at the steps of their function
      for (const name of ["authToken", "userPassword", "session_id", "password", "apiKey"]) expectRedactedLocal(q, name, "login");
      expect(localValues(q, "author", "login")).toContain("VISIBLE-cjs-author");
      expect(localValues(q, "discard", "login")).toContain("VISIBLE-cjs-discard");
      // object fields at any depth (object → object, object → array → object)
      expect(localValues(q, "request", "login")).toContainEqual({
        headers: { "x-api-key": REDACTED, bypass: "VISIBLE-cjs-bypass" },
        batches: [{ refreshToken: REDACTED, company: "VISIBLE-cjs-field-company" }],
      });
      expect(localValues(q, "receipt", "Client.charge")).toContainEqual({ amount: 5, billing: { creditCard: REDACTED } });
      // module-level bindings, and a class field of an instance
      expectRedactedLocal(q, "API_KEY", "<module>");
      expect(localValues(q, "company", "<module>")).toContain("VISIBLE-cjs-company");
      expect(localValues(q, "client", "<module>")).toContainEqual({
        apiKey: REDACTED,
        author: "VISIBLE-cjs-Client.author",
        name: "VISIBLE-cjs-client-name",
      });
      // return values of secret-named functions, yields included
      expectRedactedReturns(q, "getSecret");
      expectRedactedReturns(q, "getTokens", 4);
    },
  },
  {
    script: "esm.mjs",
    secrets: [
      "SECRET-esm-API_KEY",
      "SECRET-esm-getSecret-token",
      "SECRET-esm-Vault.masterPassword",
      "SECRET-esm-Vault.refreshToken",
      "SECRET-esm-entry-password",
      "SECRET-esm-config-apiKey",
      "SECRET-esm-session_id",
      "SECRET-esm-userPassword",
      "SECRET-esm-headers-authorization",
    ],
    visible: ["VISIBLE-esm-company", "VISIBLE-esm-Vault.bypass", "VISIBLE-esm-entry-author", "VISIBLE-esm-discard", "VISIBLE-esm-accept", "VISIBLE-esm-author"],
    check(q) {
      const handle = onlyCall(q, "handle");
      expect(Object.keys(handle.args)).toEqual(["userPassword", "author"]);
      expectRedactedArg(q, "handle", "userPassword");
      expect(handle.args.author).toBe("VISIBLE-esm-author");
      expectRedactedArg(q, "Vault.open", "session_id");
      expectRedactedLocal(q, "authToken", "handle");
      expectRedactedLocal(q, "userPassword", "handle");
      expect(localValues(q, "discard", "handle")).toContain("VISIBLE-esm-discard");
      expect(localValues(q, "config", "handle")).toContainEqual({ server: { apiKey: REDACTED }, discard: "VISIBLE-esm-discard" });
      expect(localValues(q, "entries", "Vault.open")).toContainEqual([{ author: "VISIBLE-esm-entry-author", password: REDACTED }]);
      expectRedactedLocal(q, "API_KEY", "<module>");
      expect(localValues(q, "company", "<module>")).toContain("VISIBLE-esm-company");
      expect(localValues(q, "vault", "<module>")).toContainEqual({ refreshToken: REDACTED, bypass: "VISIBLE-esm-Vault.bypass" });
      // an async function: the value at its await and its result are both Returns
      expectRedactedReturns(q, "getSecret", 2);
    },
  },
  {
    script: "ts-cjs.ts",
    secrets: [
      "SECRET-tscjs-API_KEY",
      "SECRET-tscjs-getSecret-x",
      "SECRET-tscjs-Account.creditCard",
      "SECRET-tscjs-password",
      "SECRET-tscjs-authToken",
      "SECRET-tscjs-session_id",
      "SECRET-tscjs-form-password",
      "SECRET-tscjs-apiKey",
    ],
    visible: ["VISIBLE-tscjs-company", "VISIBLE-tscjs-bypass", "VISIBLE-tscjs-user", "VISIBLE-tscjs-author"],
    check(q) {
      // a constructor with TypeScript parameter properties
      const ctor = onlyCall(q, "Account.constructor");
      expect(ctor.args).toEqual({ author: "VISIBLE-tscjs-author", password: REDACTED });
      expectRedactedArg(q, "Account.constructor", "password");
      const signIn = onlyCall(q, "signIn");
      expect(signIn.args).toEqual({ form: { user: "VISIBLE-tscjs-user", password: REDACTED }, apiKey: REDACTED });
      expectRedactedArg(q, "signIn", "apiKey");
      expectRedactedLocal(q, "authToken", "signIn");
      expectRedactedLocal(q, "session_id", "signIn");
      expect(localValues(q, "bypass", "signIn")).toContain("VISIBLE-tscjs-bypass");
      expect(localValues(q, "wrapped", "signIn")).toContainEqual({ inner: [{ user: "VISIBLE-tscjs-user", password: REDACTED }] });
      expectRedactedLocal(q, "API_KEY", "<module>");
      expect(localValues(q, "company", "<module>")).toContain("VISIBLE-tscjs-company");
      // a private class field and a parameter property of the instance
      expect(localValues(q, "account", "<module>")).toContainEqual({
        creditCard: REDACTED,
        author: "VISIBLE-tscjs-author",
        password: REDACTED,
      });
      expectRedactedReturns(q, "getSecret");
    },
  },
  {
    script: "ts-esm.mts",
    secrets: [
      "SECRET-tsesm-API_KEY",
      "SECRET-tsesm-TokenStore.cookie",
      "SECRET-tsesm-TokenStore.accessToken",
      "SECRET-tsesm-payload-refreshToken",
      "SECRET-tsesm-refreshToken",
      "SECRET-tsesm-getSecret-x",
    ],
    visible: ["VISIBLE-tsesm-discard", "VISIBLE-tsesm-TokenStore.company", "VISIBLE-tsesm-payload-company"],
    check(q) {
      const save = onlyCall(q, "TokenStore.save");
      expect(save.args).toEqual({ payload: { refreshToken: REDACTED, company: "VISIBLE-tsesm-payload-company" }, refreshToken: REDACTED });
      expectRedactedArg(q, "TokenStore.save", "refreshToken");
      expect(localValues(q, "stored", "TokenStore.save")).toContainEqual([{ refreshToken: REDACTED, company: "VISIBLE-tsesm-payload-company" }]);
      expectRedactedLocal(q, "API_KEY", "<module>");
      expect(localValues(q, "discard", "<module>")).toContain("VISIBLE-tsesm-discard");
      expect(localValues(q, "store", "<module>")).toContainEqual({ accessToken: REDACTED, company: "VISIBLE-tsesm-TokenStore.company" });
      // an arrow function named by its const
      expectRedactedReturns(q, "getSecret");
    },
  },
  {
    script: "with-worker.cjs",
    secrets: ["SECRET-main-refreshToken", "SECRET-worker-sessionToken", "SECRET-worker-getPassword-VISIBLE-worker-owner", "SECRET-worker-apiKey"],
    visible: ["VISIBLE-main-author", "VISIBLE-worker-owner", "VISIBLE-worker-company"],
    check(q, workers) {
      expectRedactedLocal(q, "refreshToken", "<module>");
      expect(localValues(q, "author", "<module>")).toContain("VISIBLE-main-author");
      // the worker thread records into <trace>/workers/<threadId> under the same filter chain
      expect(workers.length).toBe(1);
      const w = workers[0]!;
      expectRedactedLocal(w, "sessionToken", "<module>");
      expectRedactedReturns(w, "getPassword");
      expect(onlyCall(w, "getPassword").args).toEqual({ owner: "VISIBLE-worker-owner" });
      expect(localValues(w, "profile", "<module>")).toContainEqual({
        owner: "VISIBLE-worker-owner",
        credentials: REDACTED,
        company: "VISIBLE-worker-company",
      });
    },
  },
];

/** The traces of the worker threads of a recording. */
function workerTraces(rec: Recording): { dir: string; q: TraceQuery; filter: TraceFilterMetadata }[] {
  const root = path.join(rec.run.traceDir, "workers");
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).map((id) => {
    const dir = path.join(root, id);
    const report = TraceQuery.validate(dir);
    expect(report.errors, formatIssues(report)).toEqual([]);
    const meta = readMetadata(dir) as unknown as { trace_filter: TraceFilterMetadata };
    return { dir, q: new TraceQuery(dir), filter: meta.trace_filter };
  });
}

/** Redacted fields inside a value (at any depth). */
function redactedFields(q: TraceQuery, v: ValueRecord): number {
  switch (v.kind) {
    case "Struct":
      return v.field_values.reduce((n, f) => n + (isRedacted(q, f) ? 1 : redactedFields(q, f)), 0);
    case "Sequence":
      return v.elements.reduce((n, e) => n + redactedFields(q, e), 0);
    case "Tuple": // a Map entry: [key, value], the value redacted by its string key
      return v.elements.reduce((n, e) => n + (isRedacted(q, e) ? 1 : redactedFields(q, e)), 0);
    case "Variant":
      return redactedFields(q, v.contents);
    case "Reference":
      return redactedFields(q, v.dereferenced);
    default:
      return 0;
  }
}

/** The redactions the trace shows, by metadata kind. */
function redactionsInTrace(q: TraceQuery) {
  const counts = { argument: 0, local: 0, global: 0, return: 0, attribute: 0 };
  for (const call of q.calls) {
    for (const a of call.argRecords) {
      if (isRedacted(q, a.value)) counts.argument++;
      else counts.attribute += redactedFields(q, a.value);
    }
    if (call.returnRecord) {
      if (isRedacted(q, call.returnRecord)) counts.return++;
      else counts.attribute += redactedFields(q, call.returnRecord);
    }
  }
  for (const step of q.steps) {
    for (const v of step.locals.values()) {
      if (isRedacted(q, v)) counts[step.frame === "<module>" ? "global" : "local"]++;
      else counts.attribute += redactedFields(q, v);
    }
  }
  return counts;
}

describe.each(CASES)("builtin secret redaction: secrets/$script", (c) => {
  // The program prints its secrets (to show they exist); IO capture would record that output
  // as the program wrote it, which trace filters do not change (docs/trace-filters.md).
  const rec = recordedInBeforeAll("secrets", c.script, { env: { CODETRACER_CAPTURE_IO: "off" } });

  it("the program ran and printed every secret", () => {
    for (const marker of c.secrets) expect(rec.run.stdout, describeRun(rec.run)).toContain(marker);
  });

  it("no secret is written anywhere in the trace folder", () => {
    const files = filesUnder(rec.run.traceDir);
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(["trace.json", "trace_metadata.json", "trace_paths.json"]));
    // Every SECRET- marker the program printed (also those the list above may have missed).
    const printed = new Set(rec.run.stdout.match(/SECRET-[A-Za-z0-9_.-]+/g) ?? []);
    expect([...printed].sort()).toEqual([...new Set(c.secrets)].sort());
    for (const marker of printed) expect(filesContaining(rec.run.traceDir, marker), marker).toEqual([]);
    // Nothing else of a secret either: no SECRET- text at all.
    expect(filesContaining(rec.run.traceDir, "SECRET-")).toEqual([]);
  });

  it("values under names the builtin does not redact are recorded (the byte search finds them)", () => {
    for (const marker of c.visible) {
      const files = filesContaining(rec.run.traceDir, marker);
      expect(files.length, marker).toBeGreaterThan(0);
      for (const f of files) expect(path.basename(f), marker).toBe("trace.json");
    }
  });

  it("redacted names stay in the trace with <redacted> values typed Raw 'Redacted'", () => {
    c.check(
      rec.q,
      workerTraces(rec).map((w) => w.q),
    );
  });

  it("the metadata counts exactly the redactions the trace shows (each thread its own)", () => {
    let returns = 0;
    for (const { q, filter } of [{ q: rec.q, filter: rec.filter }, ...workerTraces(rec)]) {
      const { stats } = filter;
      expect(stats.value_redactions).toEqual(redactionsInTrace(q));
      expect(stats.value_drops).toEqual({ argument: 0, local: 0, global: 0, return: 0, attribute: 0 });
      expect(stats.scopes_skipped).toBe(0);
      returns += stats.value_redactions.return;
    }
    expect(rec.filter.stats.value_redactions.global).toBeGreaterThan(0);
    expect(returns).toBeGreaterThan(0);
  });
});
