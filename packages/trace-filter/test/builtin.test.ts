import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FilterChain } from "../src/chain.js";
import { BUILTIN_DEFAULT_PATH, builtinDefaultFilter, builtinDefaultText } from "../src/node/load.js";
import { compileRustRegex } from "../src/regex.js";
import type { ValueKind } from "../src/types.js";
import { secretNameRegex } from "./secret-regex.js";

const BUILTIN_FILE = fileURLToPath(new URL("../builtin/builtin_default.toml", import.meta.url));

/** Names that look like secrets: redacted whatever the value kind. */
const SECRET_NAMES = [
  "userPassword",
  "api_key",
  "authToken",
  "x-api-key",
  "API_KEY",
  "password",
  "passwords",
  "session_id",
  "SessionToken",
  "creditCard",
  "apiKey",
  "ApiKey",
  "APIKey",
  "apikey",
  "api.key",
  "jwt",
  "JWTToken",
  "jwt_token",
  "Authorization",
  "authorization",
  "accessToken",
  "ACCESS_TOKEN",
  "refresh-token",
  "sshKey",
  "private_key",
  "secretKey",
  "cvv",
  "cvc",
  "pan",
  "cardNumber",
  "card",
  "SSN",
  "ssns",
  "tokens",
  "passphrase",
  "$secret",
  "_secret",
  "secret2",
  "pwd",
  "PWD",
  "passwd",
  "bearer",
  "bearerToken",
  "cookie",
  "cookies",
  "setCookie",
  "credentials",
  "creds",
  "iban",
  "auth",
  "authHeader",
  "OAuthToken",
  "pass",
  "userPass",
  "config.password",
  "db.credentials",
  "credit_card_number",
  "sessions",
  "x-auth-token",
];

/** Names that merely contain a token: allowed. */
const INNOCENT_NAMES = [
  "author",
  "company",
  "discard",
  "bypass",
  "span",
  "expand",
  "passenger",
  "compass",
  "SPAN",
  "COMPANY",
  "tokenizer",
  "panel",
  "authorized",
  "secretary",
  "cardinal",
  "Japan",
  "username",
  "sessionid",
  "x",
  "i",
  "value",
  "count",
  "passage",
  "spaniel",
  "expanded",
  "Panel",
  "keyboard",
  "apiUrl",
  "api",
  "key",
  "private",
  "ssh",
  "access",
  "refresh",
  "passive",
  "tokenize",
  "authority",
];

describe("the JS builtin filter", () => {
  const builtin = builtinDefaultFilter();
  const chain = new FilterChain([builtin]);
  const decision = chain.classify({ file: "/home/u/project/src/app.ts", obj: "main" });

  it("is <inline:builtin-default> with an empty root and the builtin meta", () => {
    expect(builtin.path).toBe(BUILTIN_DEFAULT_PATH);
    expect(builtin.root).toBe("");
    expect(builtin.name).toBe("builtin-default");
    expect(builtin.labels).toEqual(["builtin", "default"]);
    expect(builtin.scope).toEqual({ defaultExec: "trace", defaultValueAction: "allow" });
    expect(builtinDefaultText()).toBe(fs.readFileSync(BUILTIN_FILE, "utf8"));
    expect(builtinDefaultFilter()).toBe(builtin);
  });

  it("skips node_modules files and nothing else", () => {
    expect(chain.classify({ file: "/home/u/project/node_modules/lodash/index.js" }).exec).toBe("skip");
    expect(chain.classify({ file: "/usr/lib/node_modules/npm/lib/cli.js" }).exec).toBe("skip");
    expect(chain.classify({ file: "/home/u/project/src/app.ts" }).exec).toBe("trace");
    expect(chain.classify({ file: "/home/u/project/node_modules_old/x.js" }).exec).toBe("trace");
    expect(chain.classify({ file: "/usr/lib/x.js" }).exec).toBe("trace");
    expect(chain.classify({ file: "/home/u/.config/x.js" }).exec).toBe("trace");
    expect(chain.classify({ file: "node:fs" }).exec).toBe("trace");
  });

  it("keeps deciding right past the bound of its per-name cache (10,000 ever new names)", () => {
    const fresh = chain.classify({ file: "/home/u/project/src/many.ts", obj: "main" });
    const wrong: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      for (const [name, want] of [
        [`k${i}`, "allow"],
        [`password${i}`, "redact"],
      ] as const) {
        if (fresh.valueAction("attr", name) !== want) wrong.push(name);
      }
    }
    // The first names again, after the cache started afresh.
    if (fresh.valueAction("attr", "k0") !== "allow" || fresh.valueAction("attr", "password0") !== "redact") wrong.push("again");
    expect(wrong).toEqual([]);
  });

  it("redacts secret-looking names of every value kind", () => {
    const kinds: ValueKind[] = ["local", "global", "arg", "ret", "attr"];
    for (const kind of kinds) {
      const leaked = SECRET_NAMES.filter((n) => decision.valueAction(kind, n) !== "redact");
      expect(leaked, `${kind} names not redacted`).toEqual([]);
    }
  });

  it("does not redact names that only contain a token as a substring", () => {
    for (const kind of ["local", "arg", "attr"] as const) {
      const hit = INNOCENT_NAMES.filter((n) => decision.valueAction(kind, n) !== "allow");
      expect(hit, `${kind} names redacted`).toEqual([]);
    }
  });

  it("redacts returns by function name (UserService.getToken) but not UserService.getAuthor", () => {
    expect(decision.valueAction("ret", "UserService.getToken")).toBe("redact");
    expect(decision.valueAction("ret", "auth.login")).toBe("redact");
    expect(decision.valueAction("ret", "UserService.getAuthor")).toBe("allow");
    expect(decision.valueAction("ret", "<return>")).toBe("allow");
  });

  it("holds exactly the generated, look-around-free secret regex on all five kinds", () => {
    const regex = secretNameRegex();
    expect(regex).not.toMatch(/\(\?<?[=!]/);
    const patterns = builtin.rules[builtin.rules.length - 1]!.valuePatterns;
    expect(patterns.map((p) => p.selector.raw)).toEqual(["local", "global", "arg", "ret", "attr"].map((k) => `${k}:regex:${regex}`));
    expect(patterns.every((p) => p.action === "redact")).toBe(true);
    expect(builtin.rules.map((r) => r.selector.raw)).toEqual(["file:glob:**/node_modules/**", "file:glob:**"]);
  });

  it("uses a regex with explicit case forms (no i flag), compiled once for all five kinds", () => {
    const re = compileRustRegex(secretNameRegex());
    expect(re.re2Source).not.toContain("(?i");
    expect(compileRustRegex(secretNameRegex())).toBe(re);
    expect(re.test("Password")).toBe(true);
    expect(re.test("pAssword")).toBe(false);
  });
});
