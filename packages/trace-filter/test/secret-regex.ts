/**
 * Generator of the builtin filter's secret-name regex (Rust dialect, no look-around). The
 * builtin TOML holds its output verbatim; `builtin.test.ts` checks they agree. To change the
 * token list, edit it here and paste `secretNameRegex()` into `builtin/builtin_default.toml`.
 */

/** Single-word tokens: the Python builtin's list plus words it caught only as substrings. */
export const SINGLE_TOKENS = [
  "pass",
  "password",
  "passwd",
  "passphrase",
  "pwd",
  "secret",
  "token",
  "session",
  "cookie",
  "auth",
  "authorization",
  "authorisation",
  "credential",
  "creds",
  "bearer",
  "ssn",
  "credit",
  "card",
  "iban",
  "cvv",
  "cvc",
  "pan",
  "jwt",
];

/** Two-word tokens, joined by an optional `_`, `.` or `-`, or by a camel hump. */
export const PAIR_TOKENS: [string, string][] = [
  ["api", "key"],
  ["private", "key"],
  ["secret", "key"],
  ["ssh", "key"],
  ["refresh", "token"],
  ["access", "token"],
];

type Form = "l" | "c" | "u";
const FORMS: Form[] = ["l", "c", "u"];

function form(word: string, f: Form): string {
  if (f === "l") return word;
  if (f === "u") return word.toUpperCase();
  return word[0]!.toUpperCase() + word.slice(1);
}

/** What may precede a word that starts in form `f`. */
const START: Record<Form, string> = { l: "(^|[^A-Za-z])", c: "", u: "(^|[^A-Z])" };
/** What may follow a word that ends in a lowercase letter / in an uppercase letter. */
const END_LOWER = "s?($|[^a-z])";
const END_UPPER = "[sS]?($|[^A-Za-z]|[A-Z][a-z])";

/** The regex: a token in one case form, bounded as a whole word of a name. */
export function secretNameRegex(): string {
  const groups = new Map<string, string[]>();
  const add = (first: Form, last: Form, text: string) => {
    const key = `${first}${last === "u" ? "u" : "l"}`;
    let list = groups.get(key);
    if (list === undefined) groups.set(key, (list = []));
    list.push(text);
  };
  for (const f of FORMS) for (const t of SINGLE_TOKENS) add(f, f, form(t, f));
  for (const f1 of FORMS) {
    for (const f2 of FORMS) {
      for (const [a, b] of PAIR_TOKENS) add(f1, f2, `${form(a, f1)}[_.-]?${form(b, f2)}`);
    }
  }
  const parts: string[] = [];
  for (const key of ["ll", "lu", "cl", "cu", "ul", "uu"]) {
    const list = groups.get(key);
    if (list === undefined) continue;
    const start = START[key[0] as Form];
    const end = key[1] === "u" ? END_UPPER : END_LOWER;
    parts.push(`${start}(${list.join("|")})${end}`);
  }
  return parts.join("|");
}
