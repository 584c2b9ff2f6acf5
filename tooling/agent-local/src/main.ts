/**
 * CLI entry: `tsx src/main.ts [flags]`. The only place that reads process.env and argv. Prints the
 * agent's URL on stdout, logs JSON lines on stderr, and stops cleanly on SIGTERM/SIGINT.
 */
import { parseCliOptions } from "./cli-options";
import { createLocalAgent } from "./local-agent";
import { createJsonLogger } from "./logger";

/** If something still holds the event loop after stop(), exit anyway. */
const FORCED_EXIT_AFTER_MS = 5_000;

async function main(): Promise<void> {
  const parsed = parseCliOptions(process.argv.slice(2), process.env);
  if (parsed.kind === "help") {
    process.stdout.write(parsed.text);
    return;
  }
  if (parsed.kind === "error") {
    process.stderr.write(`agent-local: ${parsed.message}\n\nRun with --help for the flags.\n`);
    process.exitCode = 2;
    return;
  }

  const logger = createJsonLogger({
    level: parsed.logLevel,
    write: (line) => process.stderr.write(`${line}\n`),
  });
  const handle = await createLocalAgent({ ...parsed.options, logger }).start();
  const executor = parsed.options.openai ? `openai (${parsed.options.openai.model})` : "demo";
  process.stdout.write(`agent-local listening on ${handle.url} (executor: ${executor})\n`);

  const shutdown = (signal: NodeJS.Signals) => {
    logger.info("shutting down", { signal });
    setTimeout(() => process.exit(0), FORCED_EXIT_AFTER_MS).unref();
    handle.stop().catch((error: unknown) => {
      logger.error("stop failed", {
        error: error instanceof Error ? error.message : String(error),
      });
      process.exitCode = 1;
    });
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `agent-local: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
