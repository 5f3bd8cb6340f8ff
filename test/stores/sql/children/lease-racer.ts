/**
 * A process racing for leases: `lease-racer.ts <url> <name>` opens the store, prints `ready`, then for
 * each line `acquire <key> <ttlMs>` it reads on stdin asks for the lease on `<key>` as owner `<name>`
 * and prints `<key> 1` when it got it, `<key> 0` when not. `renew <key>` prints `<key> renewed 1|0`.
 */
import { hostname } from "node:os";
import { createInterface } from "node:readline";
import { Sql } from "../../../../src/index.js";

const [url, name] = process.argv.slice(2) as [string, string];
const store = new Sql({ url });
await store.ready();
const leases = store.leases!;
const owner = { host: hostname(), pid: process.pid, token: `${name}-${process.pid}` };
process.stdout.write("ready\n");

for await (const line of createInterface({ input: process.stdin })) {
  const [command, key, ttl] = line.split(" ");
  if (command === "acquire") {
    const attempt = await leases.acquire(key!, owner, Number(ttl));
    process.stdout.write(`${key} ${attempt.acquired ? 1 : 0}\n`);
  } else if (command === "renew") {
    process.stdout.write(`${key} renewed ${(await leases.renew(key!, owner, 60_000)) ? 1 : 0}\n`);
  }
}
await store.close();
