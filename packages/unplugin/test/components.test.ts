/**
 * Which Vite module ids are a single-file component's compiled script (the ones the components
 * plugin records), and the lines of a component's `<script>` blocks (what it records of them).
 * The e2e test (test/e2e/sfc.test.ts) records real Vue and Svelte components.
 */
import { describe, expect, it } from "vitest";
import { isComponentScriptId, scriptBlockLines } from "../src/core.js";

describe("isComponentScriptId", () => {
  it("takes a .vue main module and its script sub-module, and a .svelte module", () => {
    for (const id of [
      "/p/src/App.vue",
      "/p/src/App.vue?vue&type=script&setup=true&lang.ts",
      "/p/src/App.vue?vue&type=script&lang.js",
      "/p/src/App.vue?t=1712345678",
      "/p/src/App.svelte",
      "/p/src/App.svelte?t=1712345678",
    ]) {
      expect(isComponentScriptId(id), id).toBe(true);
    }
  });

  it("leaves template, style, raw and url modules, virtual ids and other files alone", () => {
    for (const id of [
      "/p/src/App.vue?vue&type=template&lang.js",
      "/p/src/App.vue?vue&type=style&index=0&lang.css",
      "/p/src/App.vue?raw",
      "/p/src/App.vue?url",
      "/p/src/App.svelte?svelte&type=style&lang.css",
      "/p/src/App.svelte?raw",
      "\0plugin-vue:export-helper",
      "\0/p/src/App.vue",
      "/p/src/app.ts",
      "/p/src/App.vue.ts",
    ]) {
      expect(isComponentScriptId(id), id).toBe(false);
    }
  });
});

describe("scriptBlockLines", () => {
  it("gives each inline <script> block from its opening tag's line to its </script>'s", () => {
    const text = [
      "<template>", //           1
      "  <p>{{ n }}</p>", //     2
      "</template>", //          3
      "<script>", //             4
      "export default {};", //   5
      "</script>", //            6
      '<script setup lang="ts">', // 7
      "const n = 1;", //         8
      "</script >", //           9
      "<style>p { color: red }</style>", // 10
    ].join("\n");
    expect(scriptBlockLines(text)).toEqual([
      [4, 6],
      [7, 9],
    ]);
  });

  it("skips a block whose code is in another file, and finds none in a component without script", () => {
    expect(scriptBlockLines('<script src="./logic.ts"></script>\n<template><p/></template>\n')).toEqual([]);
    expect(scriptBlockLines("<template><p/></template>\n")).toEqual([]);
    // Svelte 5's module script and a one-line block.
    expect(scriptBlockLines("<script module>\nexport const x = 1;\n</script>\n<script>let y = 2;</script>\n<p>{y}</p>\n")).toEqual([
      [1, 3],
      [4, 4],
    ]);
  });
});
