/** @cached(): class methods cached with standard decorators, `this` keyed only when the body reads it. */
import { describe, it, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { Cache, Memory, cache, cached, digestSymbol, type CacheSwitch } from "../src/index.js";

let active: CacheSwitch;
beforeEach(() => {
  active?.restore();
  active = cache(new Cache({ values: new Memory(), calls: new Memory() }));
});

describe("@cached()", () => {
  it("caches a method that does not read `this` across instances", async () => {
    let runs = 0;
    class Geometry {
      @cached({ version: 1 })
      area(w: number, h: number) {
        runs++;
        return w * h;
      }
    }
    assert.equal(await new Geometry().area(2, 3), 6);
    assert.equal(await new Geometry().area(2, 3), 6);
    assert.equal(runs, 1);
    const [record] = await active.cache.query({}).toArray();
    assert.equal(record!.name, "Geometry.area");
    assert.equal(record!.version, 1);
    assert.deepEqual(Object.keys(record!.argumentDigests).sort(), ["h", "w"]);
    assert.match(String(record!.module), /decorator\.test$/, "the module is the class's file, not the caller's");
  });

  it("keys the receiver when the body reads `this`, through the class's digest rule", async () => {
    let runs = 0;
    class Scaler {
      constructor(readonly factor: number) {}
      [digestSymbol]() {
        return ["Scaler", this.factor];
      }
      @cached()
      scale(x: number) {
        runs++;
        return x * this.factor;
      }
    }
    assert.equal(await new Scaler(2).scale(5), 10);
    assert.equal(await new Scaler(2).scale(5), 10);
    assert.equal(await new Scaler(3).scale(5), 15);
    assert.equal(runs, 2);
    const names = (await active.cache.query({ name: "Scaler.scale" }).toArray()).map((c) => Object.keys(c.argumentDigests).sort().join(","));
    assert.deepEqual(names, ["this,x", "this,x"]);
  });

  it("names the defining class, for subclasses and static methods too; equally named methods of two classes stay apart", async () => {
    class A {
      @cached()
      run(x: number) {
        return `A${x}`;
      }
      @cached()
      static make(x: number) {
        return `static A${x}`;
      }
    }
    class B {
      @cached()
      run(x: number) {
        return `B${x}`;
      }
    }
    class C extends A {}
    assert.equal(await new C().run(1), "A1");
    assert.equal(await new B().run(1), "B1");
    assert.equal(await A.make(1), "static A1");
    assert.equal(await C.make(1), "static A1");
    const names = (await active.cache.query({}).toArray()).map((c) => c.name).sort();
    assert.deepEqual(names, ["A.make", "A.run", "B.run"]);
  });

  it("takes fleche's options (name), and refuses what is not a method", async () => {
    class D {
      @cached({ name: "custom" })
      f(x: number) {
        return x;
      }
    }
    await new D().f(1);
    assert.equal((await active.cache.query({}).only()).name, "custom");
    const decorate = cached() as unknown as (v: unknown, c: unknown) => unknown;
    assert.throws(() => decorate(undefined, { kind: "field", name: "x" }), /@cached\(\) decorates methods, not fields/);
  });
});
