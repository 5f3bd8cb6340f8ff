/**
 * Run as a child process by cross-process.test.ts: prints `[name, digest]` pairs of the vector zoo as JSON,
 * so the parent can compare with its own digests (same code, fresh process, fresh hash seeds).
 */
import { digest } from "../../src/digest/index.js";
import { registerZooHooks, zoo } from "./zoo.js";

registerZooHooks();
process.stdout.write(JSON.stringify(zoo().map(([name, value]) => [name, digest(value)])));
