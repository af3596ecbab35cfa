// Glob selectors: the Rust `globset` crate's semantics with `literal_separator(true)`, run by
// re2js in linear time (src/selector.ts: compileGlob, globToRe2). Glob selectors used to be
// compiled by picomatch to backtracking JavaScript regexes; where picomatch (with the options
// trace-filter gave it) answered differently, the case says so in its third column.
import { describe, expect, it } from "vitest";
import { FilterChain } from "../src/chain.js";
import { parseTraceFilter } from "../src/parse.js";
import { compileGlob, globToRe2, parseSelector } from "../src/selector.js";

/**
 * [glob, candidate, expected, what picomatch answered when it differed]. The expectations are
 * globset's (its own test cases are among them, marked "globset"); the others were checked
 * against picomatch 4.0.7 with the former options (dot, nonegate, noextglob, posix,
 * strictSlashes).
 */
type Case = [glob: string, candidate: string, expected: boolean, picomatch?: string];

const CASES: Record<string, Case[]> = {
  "literals and the whole string": [
    ["abc", "abc", true],
    ["abc", "abcd", false],
    ["abc", "xabc", false],
    ["a", "foo/a", false], // globset
    ["./foo", "foo", false, "picomatch: match (it dropped a leading ./)"], // globset
    ["a.b", "a.b", true],
    ["a.b", "axb", false],
    ["$^()+.|", "$^()+.|", true, "picomatch: no match (it matched the empty string instead)"],
    ["$^()+.|", "", false, "picomatch: match"],
    ["a b", "a b", true],
    ["☃", "☃", true], // globset
    ["😀", "😀", true],
    ["a,b", "a,b", true], // globset: a comma outside braces is literal
    [",", ",", true], // globset
    ["", "", true, "picomatch: error (empty pattern; a selector cannot have one)"],
    ["", "a", false, "picomatch: error"],
  ],
  "* and ? stay within one part": [
    ["*", "lodash", true],
    ["*", "@babel/core", false],
    ["*", "", true, "picomatch: no match"],
    ["*", ".", true, "picomatch: no match"],
    ["*", "a\nb", true, "picomatch: no match"],
    ["a*b", "a_b", true], // globset
    ["a*b*c", "a___b___c", true], // globset
    ["a*b*c", "abcd", false], // globset
    ["abc*abc*abc", "abcabcabcabcabcabcabc", true], // globset
    ["abc*abc*abc", "abcabcabcabcabcabcabca", false], // globset
    ["a*a*a*a*a*a*a*a*a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true], // globset
    ["*hello.txt", "gareth_says_hello.txt", true], // globset
    ["*hello.txt", "some/path/to/hello.txt", false], // globset (with literal_separator)
    ["*hello.txt", "hello.txt-and-then-some", false], // globset
    ["*.c", "mozilla-sha1/sha1.c", false], // globset (with literal_separator)
    ["my_app.*", "my_app.a.b.c", true],
    ["my_app.*", "my_app", false],
    ["@babel/*", "@babel/core", true],
    ["src/*.ts", "src/a.ts", true],
    ["src/*.ts", "src/x/a.ts", false],
    ["some/*/needle.txt", "some/one/needle.txt", true], // globset
    ["some/*/needle.txt", "some/needle.txt", false], // globset
    ["some/*/needle.txt", "some/one/two/needle.txt", false], // globset
    ["abc*def", "abc/def", false], // globset
    ["a?c", "abc", true],
    ["a?c", "a/c", false],
    ["abc?def", "abc/def", false], // globset
    ["?", "é", true],
    ["?", "😀", true, "picomatch: no match (? was one UTF-16 unit; here one code point)"],
    ["?", "", false],
    ["??", "ab", true],
  ],
  "dots are ordinary characters": [
    ["*.rs", ".rs", true], // globset
    [".*", ".hidden", true],
    [".*", ".", true, "picomatch: no match"],
    ["*.*", ".", true, "picomatch: no match"],
    ["**", ".hidden/.x.js", true],
    ["**/.*", "abc/.abc", true], // globset
    ["**/.*", "abc/ab.c", false], // globset
    [".*/**", ".abc/abc", true], // globset
    [".*/**", ".abc", false], // globset
    ["a/**", "a/./b", true, "picomatch: no match (it never matched . or .. parts)"],
    ["a/**/b", "a/../b", true, "picomatch: no match"],
  ],
  "** crosses parts": [
    ["**", "", true], // globset
    ["**", "abcde", true], // globset
    ["**", "/x/.asdf", true], // globset
    ["**", "a\nb", true, "picomatch: no match"],
    ["**/", "a/b", true, "picomatch: no match (it matched only names ending in /); globset: `**/` is `**`"],
    ["**/**", "a/b/c", true],
    ["**/x", "x", true],
    ["**/x", "a/b/x", true],
    ["**/x", "/x", true],
    ["**/x", "ax", false],
    ["**/foo", "foofoo", false], // globset
    ["**/foo/bar", "foofoo/bar", false], // globset
    ["**/test", "one/two/test", true], // globset
    ["/**/test", "/one/two/test", true], // globset
    ["/**/test", "/test", true, "picomatch: no match"], // globset
    ["/**/x", "/x", true, "picomatch: no match"],
    ["/**/test", "test", false], // globset
    ["a/**", "a/", true], // globset: test/** matches test/
    ["a/**", "a/b/c", true],
    ["a/**", "a", false], // globset: foo/** does not match foo
    ["/**", "/a/b", true],
    ["/**", "a", false],
    ["a/**/b", "a/b", true],
    ["a/**/b", "a/x/y/b", true],
    ["a/**/b", "ab", false],
    ["a/**/b", "a/xb", false],
    ["a/**/**/b", "a/b", true], // globset
    ["a/**/", "a/", true],
    ["a/**/", "a/x/", true],
    ["a/**/", "a/x", false],
    ["src/**/*.ts", "src/x/y/a.ts", true],
    ["src/**/*.ts", "src/a.ts", true],
    ["**/node_modules/**", "node_modules/x/i.js", true],
    ["**/node_modules/**", "a/b/node_modules/x/i.js", true],
    ["**/node_modules/**", "a/node_modulesx/i.js", false],
    ["**/m4/ltoptions.m4", "csharp/src/packages/repositories.config", false], // globset
    // Elsewhere `**` is two `*`: it stays within one part.
    ["a**", "abc", true],
    ["a**", "a/b", false],
    ["**a", "xa", true],
    ["**a", "x/a", false],
    ["a**b", "axxb", true],
    ["a**b", "a/b", false],
    ["a/**b", "a/xb", true],
    ["a/**b", "a/x/b", false],
    ["***", "abc", true],
    ["***", "a/b", false],
  ],
  classes: [
    ["[ab]x", "bx", true],
    ["[ab]x", "cx", false],
    ["a[0-9]b", "a9b", true], // globset
    ["a[0-9]b", "a_b", false], // globset
    ["[a-z123]", "1", true], // globset
    ["[!a]x", "bx", true],
    ["[!a]x", "ax", false],
    ["[^a]x", "bx", true],
    ["[^a]x", "ax", false],
    ["a[!0-9]b", "a_b", true], // globset
    ["a[^0-9]b", "a0b", false], // globset
    ["[!-]", "-", false], // globset
    ["[!a]", "/", true, "picomatch: no match (a negated class did not match /; in globset it does)"],
    ["[!a]x", "/x", true, "picomatch: no match"],
    ["abc[/]def", "abc/def", true], // globset
    ["[]a]", "]", true],
    ["[]a]", "a", true],
    ["[!]]", "]", false],
    ["[!]]", "x", true],
    ["[]-z]", "a", true], // globset: ']'..'z'
    ["[a-]", "-", true], // globset
    ["[-a]", "-", true], // globset
    ["[-a-c]", "b", true], // globset
    ["[a-c-]", "b", true], // globset
    ["[-]", "-", true], // globset
    ["[*]", "*", true],
    ["[*]", "a", false],
    ["[.]x", ".x", true],
    ["_[[]_[]]_[?]_[*]_!_", "_[_]_?_*_!_", true], // globset
    // `\` is an ordinary character inside a class (globset), not an escape.
    ["[\\]]", "\\]", true, "picomatch: no match (\\ escaped the ])"],
    ["[\\]]", "]", false, "picomatch: match"],
    ["[é]", "é", true],
    ["[😀-😂]", "😁", true, "picomatch: no match (a range of UTF-16 units)"],
  ],
  "{a,b} alternation": [
    ["{foo,bar}", "bar", true],
    ["{foo,bar}", "baz", false],
    ["{foo,bar}", "{foo,bar}", false],
    ["{*.foo,*.bar,*.wat}", "test.wat", true], // globset
    ["{*.ts,*.js}", "a/b.ts", false],
    ["x{a,*}y", "xzzy", true],
    ["{a,b}/**", "b/c", true],
    ["{**/src/**,foo}", "abc/src/bar", true], // globset
    ["{**/src/**,foo}", "foo", true], // globset
    ["{**/a,b}", "a", true, "picomatch: no match"],
    ["{a/**,b}", "a/x/y", true],
    ["{[}],foo}", "}", true], // globset
    ["{foo}", "foo", true, "picomatch: no match (it took {foo} literally)"], // globset
    ["{}", "", true, "picomatch: no match"], // globset
    ["{,}", "", true], // globset
    ["foo{,.txt}", "foo.txt", true], // globset
    ["foo{,.txt}", "foo", false, "picomatch: match (globset drops an empty branch)"], // globset
  ],
  "escapes, no negation, no extglobs": [
    ["a\\*", "a*", true],
    ["a\\*", "ab", false],
    ["\\[", "[", true], // globset
    ["\\?", "?", true], // globset
    ["\\?", "a", false],
    ["\\a", "a", true], // globset
    ["\\{a,b\\}", "{a,b}", true],
    ["\\{a,b\\}", "a", false],
    ["\\[a]", "[a]", true],
    ["!x", "!x", true],
    ["!x", "y", false],
    ["!*", "!ab", true],
    ["!*", "y", false],
    ["@(a|b)", "a", false],
    ["@(a|b)", "@(a|b)", true, "picomatch: no match"],
    ["+(a)", "+(a)", true, "picomatch: no match"],
    ["*(a)", "a", false, "picomatch: match (an extglob despite noextglob)"],
    ["*(a)", "x(a)", true, "picomatch: no match (the parentheses were a regex group)"],
    ["?(a)", "x(a)", true, "picomatch: no match"],
  ],
};

describe("compileGlob: globset semantics (literal_separator)", () => {
  for (const [section, cases] of Object.entries(CASES)) {
    describe(section, () => {
      for (const [glob, candidate, expected, picomatch] of cases) {
        const title = `${JSON.stringify(glob)} ${expected ? "matches" : "does not match"} ${JSON.stringify(candidate)}${picomatch ? ` (${picomatch})` : ""}`;
        it(title, () => {
          expect(compileGlob(glob)(candidate)).toBe(expected);
        });
      }
    });
  }
});

describe("globToRe2: the regex globset writes, in RE2 syntax", () => {
  // globset's own toregex cases (its `(?-u)` becomes `(?s)`: re2js matches code points, and `.` must match a newline).
  const TO_REGEX: [string, string][] = [
    ["", "^$"],
    ["?", "^[^/]$"],
    ["*", "^[^/]*$"],
    ["**", "^.*$"],
    ["**/", "^.*$"],
    ["**/*", "^(?:/?|.*/)[^/]*$"],
    ["**/**", "^.*$"],
    ["**/**/**/*", "^(?:/?|.*/)[^/]*$"],
    ["a/**", "^a/.*$"],
    ["a/**/**/**", "^a/.*$"],
    ["a/**/b", "^a(?:/|/.*/)b$"],
    ["a/**/**/**/b", "^a(?:/|/.*/)b$"],
    ["**/b", "^(?:/?|.*/)b$"],
    ["**/**/**/b", "^(?:/?|.*/)b$"],
    ["a**", "^a[^/]*[^/]*$"],
    ["**a", "^[^/]*[^/]*a$"],
    ["/a**b", "^\\/a[^/]*[^/]*b$"],
    ["{a,b}", "^(?:a|b)$"],
    ["[*]", "^[\\*]$"],
    ["+", "^\\+$"],
    ["[!a-z0-9]", "^[^a-z0-9]$"],
    ["foo{,.txt}", "^foo(?:\\.txt)$"],
    ["☃", "^\\x{2603}$"],
  ];
  for (const [glob, re] of TO_REGEX) {
    it(`${JSON.stringify(glob)} → ${re}`, () => {
      expect(globToRe2(glob)).toBe(`(?s)${re}`);
    });
  }
});

describe("compileGlob: errors", () => {
  it("rejects a range that a second '-' reverses, as globset does ([c-d-b] is c..b)", () => {
    expect(() => compileGlob("[c-d-b]")).toThrow("invalid glob pattern '[c-d-b]': invalid range 'c-b'");
    expect(compileGlob("[a-c-b]")("b")).toBe(true); // a..b: valid, globset's reading
    expect(compileGlob("[a-c-b]")("c")).toBe(false);
  });

  it("the error reaches the selector", () => {
    expect(() => parseSelector("local:[z--]", "value", [""])).toThrow("invalid glob pattern '[z--]': invalid range 'z--' in selector 'local:[z--]'");
  });
});

describe("compileGlob: linear time (no glob can make a filter decision hang)", () => {
  // Before, picomatch's backtracking regex took 3 to 6 s for the first case.
  it("*a*a*a*a*a*a*a*a*b against 40 a's", () => {
    expect(compileGlob("*a*a*a*a*a*a*a*a*b")("a".repeat(40))).toBe(false);
    expect(compileGlob("*a*a*a*a*a*a*a*a*b")("a".repeat(100_000))).toBe(false);
    expect(compileGlob("*a*a*a*a*a*a*a*a*b")(`${"a".repeat(100_000)}b`)).toBe(true);
  });

  it("**/**/**/**/**/**/x against a path of 40 parts", () => {
    const deep = Array.from({ length: 40 }, () => "a").join("/");
    expect(compileGlob("**/**/**/**/**/**/x")(deep)).toBe(false);
    expect(compileGlob("**/**/**/**/**/**/x")(`${deep}/x`)).toBe(true);
    expect(compileGlob("**/a/**/a/**/a/**/a/**/x")(deep)).toBe(false);
  });

  it("an attr: selector in a filter chain", () => {
    const filter = parseTraceFilter(
      `[meta]\nname = "evil"\nversion = 1\n\n[scope]\ndefault_exec = "trace"\ndefault_value_action = "allow"\n\n` +
        `[[scope.rules]]\nselector = "file:**"\n\n[[scope.rules.value_patterns]]\nselector = "attr:*a*a*a*a*a*a*a*a*b"\naction = "drop"\n`,
      { path: "<inline:evil>" },
    );
    const decision = new FilterChain([filter]).classify({ file: "/p/main.js", obj: "main" });
    expect(decision.valueAction("attr", "a".repeat(40))).toBe("allow");
    expect(decision.valueAction("attr", `${"a".repeat(40)}b`)).toBe("drop");
  });
});
