// The real `commander` package (from the repository's node_modules) parsing this program's own
// argv and a few more argument lists: options with values, defaults, custom parsers, variadic
// arguments, subcommands with actions, unknown options and help output captured through
// exitOverride/configureOutput. commander's code is recorded through --include.
const { Command, Option, InvalidArgumentError } = require("commander");

function parsePort(value) {
  const n = Number.parseInt(value, 10);
  if (Number.isNaN(n) || n <= 0) throw new InvalidArgumentError("not a port");
  return n;
}

function collect(value, previous) {
  return previous.concat([value]);
}

function makeProgram(out) {
  const program = new Command("tool");
  program
    .version("1.2.3")
    .description("a tool to exercise commander")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out.push("out: " + s.trimEnd()),
      writeErr: (s) => out.push("err: " + s.trimEnd()),
    })
    .option("-v, --verbose", "talk more", (_, prev) => prev + 1, 0)
    .option("-p, --port <number>", "port", parsePort, 8080)
    .option("-t, --tag <name>", "repeatable tag", collect, [])
    .option("--no-color", "disable colour")
    .addOption(new Option("-m, --mode <mode>", "mode").choices(["fast", "slow"]).default("fast"));

  program
    .command("build")
    .description("build things")
    .argument("<target>", "what to build")
    .argument("[extra...]", "more targets")
    .option("--dry-run", "do nothing")
    .action(function buildAction(target, extra, options, command) {
      out.push(`build ${target} extra=[${extra.join(",")}] dry=${Boolean(options.dryRun)} parentPort=${command.parent.opts().port}`);
    });

  program
    .command("serve [dir]")
    .alias("s")
    .action((dir = ".", options) => {
      out.push(`serve ${dir} options=${JSON.stringify(options)}`);
    });
  return program;
}

function run(argv, label) {
  const out = [];
  const program = makeProgram(out);
  try {
    program.parse(argv, { from: "user" });
    out.push("opts: " + JSON.stringify(program.opts()));
  } catch (e) {
    out.push(`exit: code=${e.code} exitCode=${e.exitCode}`);
  }
  console.log(`== ${label}: ${argv.join(" ")}`);
  for (const line of out) console.log(line);
}

run(process.argv.slice(2), "own argv");
run(["-vvv", "--port", "9000", "-t", "a", "--tag=b", "--no-color", "build", "app", "lib", "docs", "--dry-run"], "build");
run(["s", "public"], "alias");
run(["--mode", "medium", "serve"], "bad choice");
run(["--port", "zero", "serve"], "bad port");
run(["--unknown", "serve"], "unknown option");
run(["buidl"], "typo suggestion");
run(["--version"], "version");
run(["build", "--help"], "subcommand help");
