// TypeScript 5.2 `using` / `await using` (explicit resource management): disposal order, disposal
// on throw, SuppressedError when disposal throws too, and async disposal. Node 20/22 cannot run
// `using` itself: the loader downlevels it in the files it compiles, as tsc would.
const log: string[] = [];

class Resource implements Disposable {
  constructor(readonly name: string, private readonly failOnDispose = false) {
    log.push(`open ${name}`);
  }
  [Symbol.dispose](): void {
    log.push(`dispose ${this.name}`);
    if (this.failOnDispose) throw new Error(`dispose ${this.name} failed`);
  }
}

class AsyncResource implements AsyncDisposable {
  constructor(readonly name: string) {}
  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.resolve();
    log.push(`async dispose ${this.name}`);
  }
}

function nested(): number {
  using a = new Resource("a");
  using b = new Resource("b");
  log.push(`body ${a.name}${b.name}`);
  return 42;
}

function throwing(): void {
  using c = new Resource("c");
  log.push(`throwing with ${c.name}`);
  throw new Error("body failed");
}

function bothFail(): void {
  using d = new Resource("d", true);
  log.push(`body ${d.name}`);
  throw new Error("body failed too");
}

async function asyncScope(): Promise<string> {
  await using r = new AsyncResource("r");
  using s = new Resource("s");
  log.push(`async body ${r.name}${s.name}`);
  return "done";
}

async function main(): Promise<void> {
  log.push(`nested -> ${nested()}`);
  try {
    throwing();
  } catch (e) {
    log.push(`caught ${(e as Error).message}`);
  }
  try {
    bothFail();
  } catch (e) {
    const err = e as { name: string; error: Error; suppressed: Error };
    log.push(`caught ${err.name}: ${err.error.message} / ${err.suppressed.message}`);
  }
  log.push(`async -> ${await asyncScope()}`);
  {
    using _null = null; // null and undefined are allowed and skipped
    log.push("null resource ok");
  }
  console.log(log.join("\n"));
}

void main();
