/**
 * Validation of a whole trace folder (Node.js; docs/trace-format.md: "Folder", "Metadata", "Ordering").
 *
 * @packageDocumentation
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { TraceFormatError } from "../errors.js";
import { traceMetadataProblems, tracePathsProblems } from "../metadata.js";
import { parseTraceJson } from "../reader.js";
import { PENDING_METADATA_FILE, TRACE_METADATA_FILE, TRACE_PATHS_FILE } from "../types.js";
import { mergeReports, validateEvents } from "../validate.js";
import type { ValidationIssue, ValidationOptions, ValidationReport } from "../validate.js";
import { findEventsFile, readJsonFileIfExists, readTextFileIfExists } from "./read-folder.js";
import { readTraceBinFile } from "./bin-files.js";
import { readUnfinishedTrace } from "./unfinished.js";

function fileIssue(code: string, message: string): ValidationIssue {
  return { severity: "error", code, message };
}

function fromError(error: unknown, invalidCode: string): ValidationIssue {
  if (error instanceof TraceFormatError) {
    if (error.code === "ERR_IO") return fileIssue("io-error", error.message);
    if (error.code === "ERR_TRACE_MISSING") return fileIssue("missing-events-file", error.message);
    return fileIssue(invalidCode, error.message);
  }
  throw error;
}

/**
 * Validates a materialized trace folder (docs/trace-format.md: "Folder", "Metadata", "Ordering") without throwing for trace problems:
 * - the event file: `trace.json` must exist and parse (`missing-events-file`, `invalid-json`,
 *   `io-error`), or, when there is none, `trace.bin` must be a complete Binary v1 file
 *   (`invalid-trace-bin`: bad header, no seek table, corrupt frame or CBOR;
 *   `unsupported-trace-bin` for a BinaryV0 Cap'n Proto file); then its events go through
 *   {@link validateEvents};
 * - `trace_metadata.json` must exist (`missing-metadata`) and be an object with
 *   `workdir: string`, `program: string`, `args: string[]` (`invalid-metadata`), as CodeTracer
 *   ≤ 2025 requires (docs/trace-format.md: "Metadata");
 * - `trace_paths.json` must exist (`missing-paths`), be an array of strings (`invalid-paths`)
 *   and equal the Path events in order (`paths-mismatch`).
 *
 * @param dir - the trace folder
 * @param options - see {@link ValidationOptions}
 * @returns the merged report (folder issues first); `stats` describe the events
 * @throws only for unexpected internal errors (never a {@link TraceFormatError})
 */
export function validateTraceFolder(dir: string, options: ValidationOptions = {}): ValidationReport {
  const issues: ValidationIssue[] = [];
  let events: unknown[] = [];

  try {
    const found = findEventsFile(dir);
    if (found.format === "bin") {
      try {
        events = readTraceBinFile(found.file);
      } catch (error) {
        const v0 = error instanceof TraceFormatError && error.context.reason === "binary-v0";
        issues.push(fromError(error, v0 ? "unsupported-trace-bin" : "invalid-trace-bin"));
      }
    } else {
      const text = readTextFileIfExists(found.file);
      if (text === null) issues.push(fileIssue("missing-events-file", `${found.file} disappeared while reading`));
      else events = parseTraceJson(text, found.file);
    }
  } catch (error) {
    issues.push(fromError(error, "invalid-json"));
  }

  const metadataFile = path.join(dir, TRACE_METADATA_FILE);
  try {
    const metadata = readJsonFileIfExists(metadataFile);
    if (metadata === null) {
      const unfinished = fs.existsSync(path.join(dir, PENDING_METADATA_FILE));
      issues.push(
        fileIssue(
          "missing-metadata",
          unfinished
            ? `${metadataFile} is missing: the recording is still running or its process was killed ` +
                `(${unfinishedProgress(dir)}); \`codetracer-js-recorder --repair ${dir}\` finishes the folder`
            : `${metadataFile} is missing (CodeTracer ≤ 2025 and the ct importer require it)`,
        ),
      );
    } else {
      for (const problem of traceMetadataProblems(metadata.value)) {
        issues.push(fileIssue("invalid-metadata", `${metadataFile}: ${problem}`));
      }
    }
  } catch (error) {
    issues.push(fromError(error, "invalid-metadata"));
  }

  const pathsFile = path.join(dir, TRACE_PATHS_FILE);
  let paths: string[] | null = null;
  try {
    const pathsJson = readJsonFileIfExists(pathsFile);
    if (pathsJson === null) {
      issues.push(fileIssue("missing-paths", `${pathsFile} is missing`));
    } else {
      const problems = tracePathsProblems(pathsJson.value);
      for (const problem of problems) issues.push(fileIssue("invalid-paths", `${pathsFile}: ${problem}`));
      if (Array.isArray(pathsJson.value)) paths = pathsJson.value as string[];
    }
  } catch (error) {
    issues.push(fromError(error, "invalid-paths"));
  }

  return mergeReports(issues, validateEvents(events, { ...options, paths }));
}

/**
 * How far an unfinished recording got: the complete events that reached `trace.json` and the
 * last step among them.
 */
function unfinishedProgress(dir: string): string {
  try {
    const { events, lastStep } = readUnfinishedTrace(dir, { repair: false });
    const last = lastStep ? `, the last step at ${lastStep.path}:${lastStep.line}` : "";
    return `${events.length} complete events written${last}`;
  } catch {
    return "its events cannot be read";
  }
}
