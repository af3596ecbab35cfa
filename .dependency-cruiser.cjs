/** Allowed dependencies between the packages: docs/architecture.md, "Allowed dependencies". */
const pkg = (name) => `^packages/${name}/`;
const rule = (from, forbiddenPackages, comment) => ({
  name: `${from}-not-to-${forbiddenPackages.join("-")}`,
  comment,
  severity: "error",
  from: { path: pkg(from) },
  to: { path: `^packages/(${forbiddenPackages.join("|")})/` },
});
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "An import loop (docs/architecture.md).", from: {}, to: { circular: true } },
    rule("trace-format", ["trace-filter", "runtime", "instrument", "register", "cli", "unplugin", "tracing"], "trace-format depends on no package of ours"),
    rule("trace-filter", ["runtime", "instrument", "register", "cli", "unplugin", "tracing"], "trace-filter depends only on trace-format"),
    rule("runtime", ["instrument", "register", "cli", "unplugin", "tracing"], "the runtime depends on trace-format and trace-filter only"),
    rule("instrument", ["register", "cli", "unplugin", "tracing", "trace-format"], "instrument knows the runtime through its ABI only"),
    rule("register", ["cli", "unplugin", "tracing"], "front doors do not import each other (but cli -> register, unplugin -> register)"),
    rule("unplugin", ["cli", "tracing"], "front doors do not import each other"),
    rule(
      "tracing",
      ["trace-format", "trace-filter", "runtime", "instrument", "register", "cli", "unplugin"],
      "tracing talks to a running runtime through globalThis only",
    ),
    rule(
      "opentelemetry",
      ["trace-format", "trace-filter", "runtime", "instrument", "register", "cli", "unplugin"],
      "opentelemetry writes through tracing's recordSpanEvent only (docs/spans.md)",
    ),
    {
      name: "tracing-not-to-opentelemetry",
      comment: "@codetracer/tracing depends on no OpenTelemetry package (its bridge is packages/opentelemetry)",
      severity: "error",
      from: { path: "^packages/tracing/" },
      to: { path: "^packages/opentelemetry/|node_modules/@opentelemetry/" },
    },
    {
      name: "instrument-runtime-abi-only",
      comment: "instrument imports only the runtime's ABI module",
      severity: "error",
      from: { path: "^packages/instrument/src/" },
      to: { path: "^packages/runtime/", pathNot: "^packages/runtime/(src|dist)/abi\\.(ts|js|d\\.ts)$" },
    },
    {
      name: "instrument-trace-filter-decision-only",
      comment: "instrument takes the trace filter's decision shape only (the chain is the front door's)",
      severity: "error",
      from: { path: "^packages/instrument/src/" },
      to: { path: "^packages/trace-filter/", pathNot: "^packages/trace-filter/(src|dist)/(decision|types)\\.(ts|js|d\\.ts)$" },
    },
    {
      name: "browser-safe-no-node",
      comment: "browser-safe code imports nothing from node: (Node-only code lives in node/ folders)",
      severity: "error",
      from: { path: "^packages/(trace-format|trace-filter|runtime)/src/", pathNot: "/node/|^packages/trace-format/src/zstd\\.ts$" },
      to: { dependencyTypes: ["core"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules|^packages/[^/]+/dist/" },
    includeOnly:
      "^(packages/|node:|(fs|path|os|url|module|vm|util|crypto|child_process|worker_threads|zlib|events|stream|process|v8|inspector|async_hooks|perf_hooks|tty|net|http|https|readline|buffer|assert)$)",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".d.ts"],
    },
  },
};
