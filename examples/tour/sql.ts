/**
 * Sql storage: call records in a SQL database, where queries run. An `Sql` store can hold the values
 * too (`new Cache({ values: sql, calls: sql })`); here they stay in memory.
 */
import { rmSync } from "node:fs";
import { Cache, Memory, Sql, cache, fleche, tags } from "../../src/index.js";
import { heading } from "./print.js";

export async function sqlCell(): Promise<void> {
  heading(
    "Sql storage",
    "The `Sql` store keeps call records in SQLite (or PostgreSQL, with a postgres:// URL), where they can be queried by function, argument, tag and time. It can hold the values too; here it holds the **calls** side of a cache.",
  );

  rmSync(".fleche-demo/sql", { recursive: true, force: true });
  const sqlCache = new Cache({ values: new Memory(), calls: new Sql({ url: "sqlite://.fleche-demo/sql/calls.db" }) });
  {
    using _ = cache(sqlCache);
    const power = fleche(function power(a: number, b: number) {
      console.log(`Executing power(${a}, ${b})`);
      return a ** b;
    });
    {
      using __ = tags({ project: "tour" });
      await power(2, 8);
      await power(2, 8); // served from the cache: no "Executing" line
    }
    await power(3, 8);

    console.log("Calls in SQL storage:", await sqlCache.callKeys());
    const show = async (title: string, query: ReturnType<typeof power.query>) => {
      const found = [];
      for await (const call of query.sortBy("a")) found.push(`power(${Object.values(await call.arguments()).join(", ")}) = ${await call.result()}`);
      console.log(`${title}: ${found.join("; ")}`);
    };
    await show("Query by argument (b = 8)", power.query({ args: { b: 8 } }));
    await show("Query by tag (project = tour)", power.query({ metadata: { tags: { project: "tour" } } }));
  }
  await sqlCache.close();
}
