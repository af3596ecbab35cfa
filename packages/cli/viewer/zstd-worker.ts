/**
 * A worker of the viewer page (docs/commands.md, "view"): decompresses the zstd frames it is
 * sent, so that several frames are decompressed at once on several cores. Messages in:
 * `{ id, frame }`; out: `{ id, out }` (the decompressed bytes, transferred) or `{ id, error }`.
 */
import { decompress } from "fzstd";

self.onmessage = (event: MessageEvent<{ id: number; frame: Uint8Array }>) => {
  const { id, frame } = event.data;
  try {
    const out = decompress(frame);
    (self as unknown as Worker).postMessage({ id, out }, [out.buffer]);
  } catch (error) {
    (self as unknown as Worker).postMessage({ id, error: (error as Error)?.message ?? String(error) });
  }
};
