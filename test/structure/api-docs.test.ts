/**
 * The API reference stays whole: TypeDoc, run with `typedoc.json` (the configuration `npm run docs` uses),
 * must convert the three entries (`fleche`, `fleche/store-kit`, `fleche/testing`) without a single warning.
 * Its validation reports every export without a doc comment (`notDocumented`, for the kinds listed in
 * `requiredToBeDocumented`: classes, functions, interfaces, type aliases, variables, enums, and a class's
 * methods, accessors and constructors; typedoc.json says why properties are not among them), every
 * `{@link}` that does not resolve (`invalidLink`) and every type a public signature names but no entry
 * exports (`notExported`). Nothing is written: conversion and validation only. TypeDoc type-checks `src/` on
 * the way, so this takes about 8 seconds.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Application, Logger, LogLevel, TSConfigReader, TypeDocReader } from "typedoc";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Keeps every message TypeDoc logs at warning level or above (counting them as the base class does). */
class CollectingLogger extends Logger {
  readonly messages: string[] = [];
  override log(message: string, level: LogLevel): void {
    super.log(message, level);
    if (level >= LogLevel.Warn) this.messages.push(`${LogLevel[level]}: ${message}`);
  }
}

it("the API reference builds with every export documented and every link resolved", { timeout: 120_000 }, async () => {
  const cwd = process.cwd();
  process.chdir(ROOT); // typedoc.json's paths are relative to the project root
  try {
    const app = await Application.bootstrapWithPlugins(
      { options: "typedoc.json", emit: "none" },
      [new TypeDocReader(), new TSConfigReader()],
    );
    assert.ok(!app.logger.hasErrors(), "typedoc.json has errors (printed above)");
    const logger = new CollectingLogger();
    app.logger = logger;
    const project = await app.convert();
    assert.ok(project, `TypeDoc could not convert the entries:\n${logger.messages.join("\n")}`);
    app.validate(project);
    assert.deepEqual(
      logger.messages,
      [],
      `TypeDoc found ${logger.messages.length} problem(s); document the export, fix the link, or export the type:\n${logger.messages.join("\n")}`,
    );
  } finally {
    process.chdir(cwd);
  }
});
