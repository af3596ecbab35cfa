/** Helpers shared by the unplugin's unit tests. */
import { expect } from "vitest";
import { RecorderError } from "@codetracer/runtime";

/** The error `fn` throws (fails the test when it throws nothing). */
export function errorOf(fn: () => unknown): RecorderError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RecorderError);
    return error as RecorderError;
  }
  throw new Error("expected a RecorderError");
}
