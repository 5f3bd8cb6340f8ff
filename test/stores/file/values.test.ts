/** What FileStore does with values its serializers cannot hold, and with registered classes. */
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { Cache, FileStore, SaveError, cache, digest, digestSymbol, fleche, registerClass } from "../../../src/index.js";
import { tempDirs } from "../../helpers/temp.js";
import { captureLogs } from "../../helpers/logs.js";

const dir = tempDirs("file-values");

class Vector {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  length(): number {
    return Math.hypot(this.x, this.y);
  }
  [digestSymbol]() {
    return ["Vector", this.x, this.y];
  }
}
class Unregistered {
  constructor(readonly label: string) {}
  [digestSymbol]() {
    return ["Unregistered", this.label];
  }
}
const off = registerClass(Vector);
after(off);

describe("FileStore values", () => {
  for (const serializer of ["v8", "json", "msgpack"] as const) {
    for (const minPartSize of [0, undefined]) {
      it(`${serializer}: registered class instances come back with their prototype, ${minPartSize === 0 ? "also inside split containers" : "inside a container kept whole"}`, async () => {
        const store = new FileStore({ root: dir(), serializer, ...(minPartSize === undefined ? {} : { minPartSize }) });
        const value = { origin: new Vector(0, 0), path: [new Vector(3, 4), new Vector(6, 8)], byName: new Map([["v", new Vector(1, 0)]]) };
        const key = (await store.saveValue(value)) as string;
        if (minPartSize === 0) assert.ok([...store.listValues()].length > 1, "the value was split");
        else assert.equal([...store.listValues()].length, 1, "small parts stay inside the value");
        const loaded = (await store.loadValue(key)) as typeof value;
        assert.ok(loaded.path[0] instanceof Vector);
        assert.equal(loaded.path[1]!.length(), 10);
        assert.ok(loaded.byName.get("v") instanceof Vector);
        assert.equal(digest(loaded), key);
      });
    }

    it(`${serializer}: refuses an unregistered class instance with a SaveError naming the class`, async () => {
      const store = new FileStore({ root: dir(), serializer });
      await assert.rejects(
        async () => store.saveValue({ items: [new Unregistered("x")] }),
        (e: unknown) => e instanceof SaveError && /class Unregistered/.test(e.message) && /registerClass\(Unregistered\)/.test(e.message),
      );
    });
  }

  it("json and msgpack refuse cycles with a SaveError; v8 stores them", async () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    for (const serializer of ["json", "msgpack"] as const) {
      await assert.rejects(async () => new FileStore({ root: dir(), serializer }).saveValue(cyclic), (e: unknown) => e instanceof SaveError && /cycle/.test(e.message));
    }
    const store = new FileStore({ root: dir() });
    const loaded = (await store.loadValue((await store.saveValue(cyclic)) as string)) as Record<string, unknown>;
    assert.equal(loaded.self, loaded);
  });

  it("the wrapper returns a result the store refuses, uncached, with a warning", async () => {
    const store = FileStore.json({ root: dir() });
    let runs = 0;
    const make = fleche(function make(label: string) {
      runs++;
      return [new Unregistered(label)];
    });
    const logs = captureLogs();
    try {
      using _ = cache(new Cache({ values: store, calls: store }));
      assert.ok((await make("a"))[0] instanceof Unregistered);
      await make("a");
    } finally {
      logs.restore();
    }
    assert.equal(runs, 2);
    assert.match(logs.warn.join("\n"), /Cache rejected save: .*class Unregistered/);
  });

  it("keeps an unstorable argument as a digest-only reference and still caches the call", async () => {
    const store = new FileStore({ root: dir() });
    let runs = 0;
    const describe = fleche(function describeIt(thing: Unregistered) {
      runs++;
      return `thing ${thing.label}`;
    });
    using _ = cache(new Cache({ values: store, calls: store }));
    assert.equal(await describe(new Unregistered("b")), "thing b");
    assert.equal(await describe(new Unregistered("b")), "thing b");
    assert.equal(runs, 1);
  });
});
