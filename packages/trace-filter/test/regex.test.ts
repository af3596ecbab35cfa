import { describe, expect, it } from "vitest";
import { FilterChain } from "../src/chain.js";
import { parseTraceFilter } from "../src/parse.js";
import { compileRustRegex, RustRegexError, rustToRe2 } from "../src/regex.js";
import { parseSelector } from "../src/selector.js";

/** [pattern, inputs that must match, inputs that must not]. */
const MATCHING: [string, string[], string[]][] = [
  // The real filters' leading (?i).
  ["(?i).*(pass(word)?|api[_-]?key).*", ["PASSWORD", "my_Api-Key", "xpassx"], ["pwd"]],
  // Unanchored search, like Rust is_match.
  ["token", ["my_token_x"], ["tok"]],
  // Scoped case-insensitivity.
  ["(?i:ab)c", ["ABc", "abc", "xAbcx"], ["ABC", "abC"]],
  ["a(?i)b|c", ["aB", "ab", "C"], ["Ab"]],
  ["(?i)a(?-i)b", ["Ab", "ab"], ["AB"]],
  ["(?i:[a-c])d", ["Bd", "cd"], ["BD", "Dd"]],
  ["(?i:k)", ["K", "\u212A"], ["x"]],
  ["(?i)k", ["\u212A", "K"], ["x"]],
  ["(?i)[^a]", ["b"], ["A", "a"]],
  ["(?i:\\p{Lu})a", ["xa", "Xa"], ["XA", "1a"]],
  ["(?iu)ab", ["AB"], ["a"]],
  ["(?u:a)b", ["ab"], ["Ab"]],
  ["(?-x)ab", ["ab"], ["a b"]],
  // Perl classes are Unicode-aware, as in Rust (RE2's own are ASCII).
  ["^\\d+$", ["42", "\u0663"], ["4a"]],
  ["^\\w+$", ["é_1", "user", "ǅʰⅫ\u0301‿\u200D", "Ⓐ🄰"], ["a-b", "€"]],
  ["^\\s$", ["\u00A0", " ", "\u0085", "\u2028", "\u3000"], ["x", "\uFEFF"]],
  ["^\\D\\S\\W$", ["a--"], ["1--", "a -", "a-a"]],
  ["^[\\d_]+$", ["1_\u0663"], ["a"]],
  ["^[\\w-]+$", ["a-é"], ["a b"]],
  ["^[^\\s]+$", ["ab"], ["a b", "a\u00A0b"]],
  ["^[\\S]+$", ["ab"], ["a b", "a\u3000b"]],
  ["^[^\\S]$", ["\u2029"], ["a"]],
  ["^[\\D]$", ["a"], ["1", "\u0663"]],
  // Anchors.
  ["\\Aab\\z", ["ab"], ["xab", "abx"]],
  ["^b", ["b"], ["a\nb"]],
  ["a$", ["a"], ["a\n"]],
  ["(?m)^b$", ["a\nb\nc"], ["a\nbc"]],
  ["a.b", ["axb", "a😀b"], ["a\nb"]],
  ["(?s)a.b", ["a\nb"], []],
  // ASCII word boundaries (see docs/trace-filters.md).
  ["\\bfoo\\b", ["a foo b", "foo"], ["afoo", "foo_"]],
  ["\\Boo\\B", ["foood"], ["oo"]],
  ["\\bé", ["aé"], ["é", " é"]],
  // Named groups.
  ["(?P<first>a)(?<second>b)", ["ab"], ["ba"]],
  // Classes.
  ["^[[:alpha:]]+[[:digit:]]$", ["abc1"], ["ab1c"]],
  ["^[[:^digit:]]$", ["a"], ["1"]],
  ["[]a]", ["]"], ["b"]],
  ["^[^]a]$", ["b"], ["]", "a"]],
  ["^[a-]$", ["-", "a"], ["b"]],
  ["^[\\p{Lu}\\d]$", ["A", "1"], ["a"]],
  ["^[\\-a]$", ["-"], ["b"]],
  // Unicode classes, with the names Rust accepts.
  ["\\p{Greek}", ["α"], ["a"]],
  ["\\p{greek}", ["α"], ["a"]],
  ["\\pL", ["α"], ["1"]],
  ["\\p{sc=Greek}", ["α"], ["a"]],
  ["\\p{Script:Greek}", ["α"], ["a"]],
  ["^\\p{sc!=Greek}$", ["a"], ["α"]],
  ["\\p{Lu}", ["A"], ["a"]],
  ["\\p{Uppercase_Letter}", ["A"], ["a"]],
  ["\\p{gc=uppercase letter}", ["A"], ["a"]],
  ["\\p{Old_Italic}", ["\u{10300}"], ["a"]],
  ["\\p{old italic}", ["\u{10300}"], ["a"]],
  ["^\\p{Alphabetic}+$", ["aé"], ["a1"]],
  ["^\\p{alpha}\\p{whitespace}$", ["a\u3000"], ["a_"]],
  ["^\\P{L}$", ["1"], ["a"]],
  ["^\\p{^L}$", ["1"], ["a"]],
  ["^\\P{^L}$", ["a"], ["1"]],
  // Escapes.
  ["\\x{41}\\x42\\u0043\\U{1F600}\\U00000044\\u{45}", ["ABC😀DE"], []],
  ["\\#\\&\\~\\-\\ ", ["#&~- "], []],
  ["a\\.b", ["a.b"], ["axb"]],
  ["\\t\\n", ["\t\n"], []],
  // Repetition.
  ["^a{2}b{2,}c{1,2}?$", ["aabbbc", "aabbcc"], ["aabc"]],
  ["(?U)^a+$", ["aaa"], [""]],
  ["^(?:a*)*$", ["aaa", ""], ["b"]],
  ["^(?:x{2}){3}$", ["xxxxxx"], ["xxxxx"]],
  ["^(?:)$", [""], ["a"]],
  // Colons and slashes are ordinary.
  ["^a::b$", ["a::b"], ["a:b"]],
  ["^(flask|fastapi|django)/app\\.py$", ["flask/app.py"], ["x/flask/app.py"]],
  [".*[\\\\/](lib|Lib)[\\\\/]python\\d+\\.\\d+[\\/]site-packages[\\/].*", ["/usr/lib/python3.12/site-packages/x.py"], ["/usr/lib/python3/x"]],
];

describe("compileRustRegex: Rust-dialect patterns on re2js", () => {
  for (const [pattern, yes, no] of MATCHING) {
    it(`matches like Rust: ${JSON.stringify(pattern)}`, () => {
      const re = compileRustRegex(pattern);
      for (const s of yes) expect(re.test(s), `${JSON.stringify(s)} should match`).toBe(true);
      for (const s of no) expect(re.test(s), `${JSON.stringify(s)} should not match`).toBe(false);
    });
  }

  it("rewrites Rust-only syntax into RE2's", () => {
    expect(rustToRe2("(?i)^api[_-]?key$")).toBe("(?i)^api[_-]?key$");
    expect(rustToRe2("\\d\\D")).toBe("\\p{Nd}\\P{Nd}");
    expect(rustToRe2("\\u00e9\\U{1F600}\\x41")).toBe("\\x{00e9}\\x{1F600}\\x{41}");
    expect(rustToRe2("(?iu)\\p{sc=Greek}(?u:\\p{Letter})")).toBe("(?i)\\p{Greek}(?:\\p{L})");
    expect(rustToRe2("\\w\\s[\\S]")).toBe("[\\p{Alphabetic}\\pM\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}]\\p{White_Space}[\\P{White_Space}]");
  });

  it("returns the same compiled object for the same pattern (memoised)", () => {
    const a = compileRustRegex("^memo-(a|b)$");
    expect(compileRustRegex("^memo-(a|b)$")).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(a.source).toBe("^memo-(a|b)$");
  });

  /** Rust syntax RE2 cannot express or gives another meaning: rejected, never silently different. */
  const UNSUPPORTED: [string, RegExp][] = [
    ["(?-u)^\\w+$", /ASCII mode \(\?-u\) is not supported at offset 3/],
    ["(?x) a b", /verbose mode \(\?x\) is not supported/],
    ["^[a-z&&[^aeiou]]+$", /set operations .* not supported at offset 5/],
    ["^[\\w--\\d]+$", /set operations/],
    ["^[a-c~~b-d]+$", /set operations/],
    ["^[a[xy]]+$", /nested character classes are not supported at offset 3/],
    ["^[^\\W\\d]$", /\\W inside a bracket class is not supported/],
    ["\\<word\\>", /word-start and word-end assertions/],
    ["x\\b{end}", /word-start and word-end assertions .* at offset 1/],
    ["^(?:a**)$", /nested repetition .* not supported/],
    ["^x{2}{3}$", /nested repetition/],
    ["a{1001}", /invalid repetition count \(at most 1000\)/],
    ["\\p{Join_Control}", /unsupported Unicode class/],
    ["\\p{scx=Greek}", /unsupported Unicode property 'scx'/],
    ["(?P<a.b>x)", /invalid capture group name/],
  ];
  for (const [pattern, message] of UNSUPPORTED) {
    it(`rejects what RE2 cannot express: ${JSON.stringify(pattern)}`, () => {
      expect(() => compileRustRegex(pattern)).toThrow(RustRegexError);
      expect(() => compileRustRegex(pattern)).toThrow(message);
    });
  }

  /** Invalid in Rust: rejected here too, including what RE2 alone would take as literal text. */
  const ERRORS: [string, RegExp][] = [
    ["(?=a)", /look-around.*not supported at offset 0/],
    ["(?!a)", /look-around/],
    ["(?<=a)b", /look-around/],
    ["(?<!a)b", /look-around/],
    ["(a)\\1", /backreferences are not supported at offset 3/],
    ["\\0", /octal/],
    ["[a", /unclosed character class/],
    ["(a", /unclosed group/],
    ["a)", /unopened group/],
    ["*a", /repetition operator missing expression/],
    ["a|*", /repetition operator missing expression/],
    ["(?i)*", /repetition operator missing expression at offset 4/],
    ["a(?i)+", /repetition operator missing expression/],
    ["a{3,1}", /invalid repetition range/],
    ["a{x}", /invalid counted repetition at offset 1/],
    ["a{,3}", /invalid counted repetition/],
    ["a{1, 2}", /invalid counted repetition/],
    ["a{", /unclosed counted repetition/],
    ["{2}", /repetition operator missing expression/],
    ["\\y", /unrecognised escape sequence '\\y'/],
    ["\\Qa\\E", /unrecognised escape sequence '\\Q'/],
    ["\\", /incomplete escape/],
    ["(?R)", /CRLF flag 'R' is not supported/],
    ["(?q)", /unrecognised flag 'q'/],
    ["(?ii)", /duplicate flag/],
    ["(?)", /empty flag group/],
    ["(?i-)", /flag negation without a flag/],
    ["[z-a]", /invalid character class range/],
    ["[\\d-z]", /invalid range boundary/],
    ["[\\b]", /assertions are not allowed in a character class/],
    ["\\x{110000}", /not a Unicode scalar value/],
    ["\\u{D800}", /not a Unicode scalar value/],
    ["\\xZ", /invalid hexadecimal escape/],
    ["\\p{NoSuchProperty}", /unsupported Unicode class/],
    ["\\p{constructor}", /unsupported Unicode class/],
    ["(?P<1a>x)", /invalid capture group name '1a'/],
    ["(?P<a>x)(?P<a>y)", /duplicate capture group name/],
    ["[[:nope:]]", /invalid character class range/],
  ];
  for (const [pattern, message] of ERRORS) {
    it(`rejects ${JSON.stringify(pattern)}`, () => {
      expect(() => compileRustRegex(pattern)).toThrow(RustRegexError);
      expect(() => compileRustRegex(pattern)).toThrow(message);
    });
  }
});

describe("ReDoS: matching takes time linear in the input", () => {
  // The backtracking JavaScript engine took 21 s for this key as an attr: rule (issue 17, item
  // 10), and doubles its time with each extra "a"; re2js answers in well under a millisecond.
  const EVIL = "^(a+)+$";
  const KEY = `${"a".repeat(32)}!`;

  /** Runs `f`, failing when it took `limitMs` or more (the vitest timeout cannot stop a synchronous hang). */
  function fast<T>(f: () => T, limitMs = 1000): T {
    const start = performance.now();
    const result = f();
    expect(performance.now() - start).toBeLessThan(limitMs);
    return result;
  }

  const filter = (kind: string) =>
    parseTraceFilter(
      `[meta]\nname = "redos"\nversion = 1\n\n[scope]\ndefault_exec = "trace"\ndefault_value_action = "allow"\n\n` +
        `[[scope.rules]]\nselector = "file:glob:**"\n\n[[scope.rules.value_patterns]]\nselector = 'attr:regex:${kind === "attr" ? EVIL : "^never$"}'\naction = "redact"\n\n` +
        `[[scope.rules.value_patterns]]\nselector = 'local:regex:${kind === "local" ? EVIL : "^never$"}'\naction = "drop"\n`,
      { path: `<inline:redos-${kind}>` },
    );

  it("attr:regex:^(a+)+$ against 32 a's and a '!' (the probe's key)", { timeout: 5000 }, () => {
    const decision = new FilterChain([filter("attr")]).classify({ file: "/p/main.js", obj: "main" });
    expect(fast(() => decision.valueAction("attr", KEY))).toBe("allow");
    expect(decision.valueAction("attr", "aaaa")).toBe("redact");
  });

  it("local:regex:^(a+)+$ against a 33-character local name (compile-time decision)", { timeout: 5000 }, () => {
    const decision = new FilterChain([filter("local")]).classify({ file: "/p/main.js", obj: "main" });
    expect(fast(() => decision.valueAction("local", KEY))).toBe("allow");
    expect(decision.valueAction("local", "aaaa")).toBe("drop");
  });

  it("a selector's matcher on 100,000 characters, and other exponential shapes", { timeout: 5000 }, () => {
    const long = `${"a".repeat(100_000)}!`;
    expect(fast(() => parseSelector(`attr:regex:${EVIL}`, "value", [""]).matches(long))).toBe(false);
    for (const p of ["^(a|a)*$", "^(a|aa)+$", "^(.*a){20}$", "^(\\w+\\s?)+$"]) {
      expect(
        fast(() => compileRustRegex(p).test(`${"a".repeat(5000)}!`)),
        p,
      ).toBe(false);
    }
  });
});
