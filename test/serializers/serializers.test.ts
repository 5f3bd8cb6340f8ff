import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { D, SaveError, registerClass } from "../../src/index.js";
import { jsonSerializer } from "../../src/serializers/json.js";
import { msgpackSerializer } from "../../src/serializers/msgpack.js";
import { v8Serializer } from "../../src/serializers/v8.js";
import type { Serializer } from "../../src/serializers/types.js";

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}
class Point3 extends Point {
  z = 0;
}
class Secretive {
  #hidden: string;
  constructor(hidden: string) {
    this.#hidden = hidden;
  }
  reveal(): string {
    return this.#hidden;
  }
}
class Unknown {
  a = 1;
}

const unregister = [
  registerClass(Point),
  registerClass(Secretive, { name: "test.Secretive", encode: (s) => s.reveal(), decode: (hidden: string) => new Secretive(hidden) }),
];
after(() => unregister.forEach((off) => off()));

const serializers: Serializer[] = [v8Serializer, jsonSerializer, msgpackSerializer];

function roundTrip(serializer: Serializer, value: unknown): unknown {
  const { bytes, tagged } = serializer.encode(value);
  return serializer.decode(bytes, tagged);
}

describe("serializers", () => {
  for (const serializer of serializers) {
    describe(serializer.name, () => {
      it("round-trips what JavaScript distinguishes", async () => {
        await serializer.load();
        const values: unknown[] = [
          -0, NaN, Infinity, -Infinity, 2 ** 53 + 2, 2n ** 70n, -(2n ** 70n), undefined, null, "",
          "lone \ud800 surrogate", [1, , 3], { a: undefined }, { $fleche: "not a tag", v: 1 },
          new Map<unknown, unknown>([[1, "one"], [{ k: [1] }, new Set([2])]]), new Set(["a", 1]),
          new Date(Date.UTC(2020, 1, 2)), /x+y/gimsuy, new Float32Array([1.5, NaN]), new BigUint64Array([2n ** 64n - 1n]),
          new Uint8ClampedArray([255]), Buffer.from("buf"), new Uint8Array([1, 2]).buffer, new DataView(new Uint8Array([9, 8]).buffer),
          Object.assign(Object.create(null) as object, { bare: true }), D("ab".repeat(32)),
        ];
        for (const [i, value] of values.entries()) assert.deepStrictEqual(roundTrip(serializer, value), value, `${serializer.name}: value #${i}`);
      });

      it("keeps the prototype of registered classes, also nested", () => {
        const loaded = roundTrip(serializer, { points: [new Point(3, 4)], byName: new Map([["p", new Point(0, 1)]]) }) as {
          points: Point[];
          byName: Map<string, Point>;
        };
        assert.ok(loaded.points[0] instanceof Point);
        assert.equal(loaded.points[0].norm(), 5);
        assert.ok(loaded.byName.get("p") instanceof Point);
      });

      it("uses a class's own encode and decode (private fields)", () => {
        const loaded = roundTrip(serializer, [new Secretive("psst")]) as Secretive[];
        assert.ok(loaded[0] instanceof Secretive);
        assert.equal(loaded[0].reveal(), "psst");
      });

      it("refuses instances of unregistered classes, naming the class and the path", () => {
        assert.throws(
          () => serializer.encode({ items: [1, new Unknown()] }),
          (e: unknown) => e instanceof SaveError && /class Unknown/.test(e.message) && /registerClass\(Unknown\)/.test(e.message),
        );
        // A subclass of a registered class is a class of its own.
        assert.throws(() => serializer.encode(new Point3(1, 2)), (e: unknown) => e instanceof SaveError && /class Point3/.test(e.message));
      });

      it("refuses functions and symbols with a SaveError", () => {
        assert.throws(() => serializer.encode({ f: () => 1 }), SaveError);
        assert.throws(() => serializer.encode([Symbol("s")]), SaveError);
      });

      it("does not let a __proto__ key change a prototype", () => {
        const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
        const loaded = roundTrip(serializer, value) as Record<string, unknown>;
        assert.equal(Object.getPrototypeOf(loaded), Object.prototype);
        assert.deepEqual(Object.keys(loaded), ["__proto__", "a"]);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      });
    });
  }

  it("v8 keeps cycles and shared references", () => {
    const shared = { s: 1 };
    const value: Record<string, unknown> = { a: shared, b: shared, p: new Point(1, 1) };
    value.self = value;
    const loaded = roundTrip(v8Serializer, value) as Record<string, unknown>;
    assert.equal(loaded.self, loaded);
    assert.equal(loaded.a, loaded.b);
    assert.ok(loaded.p instanceof Point);
  });

  for (const serializer of [jsonSerializer, msgpackSerializer]) {
    it(`${serializer.name} refuses cycles with a SaveError naming the path, and copies shared references`, () => {
      const cyclic: Record<string, unknown> = { inner: { list: [] as unknown[] } };
      ((cyclic.inner as Record<string, unknown[]>).list as unknown[]).push(cyclic);
      assert.throws(() => serializer.encode(cyclic), (e: unknown) => e instanceof SaveError && /value\.inner\.list\[0\]/.test(e.message) && /cycle/.test(e.message));
      const shared = [1];
      const loaded = roundTrip(serializer, { a: shared, b: shared }) as { a: number[]; b: number[] };
      assert.deepEqual(loaded, { a: [1], b: [1] });
    });
  }

  it("json files are readable JSON with visible tags", () => {
    const { bytes } = jsonSerializer.encode({ when: new Date(0), n: NaN, m: new Map([["k", 1n]]) });
    assert.deepEqual(JSON.parse(Buffer.from(bytes).toString()), {
      when: { $fleche: "Date", v: "1970-01-01T00:00:00.000Z" },
      n: { $fleche: "number", v: "NaN" },
      m: { $fleche: "Map", v: [["k", { $fleche: "bigint", v: "1" }]] },
    });
  });

  it("msgpack writes standard MessagePack (no records or extensions) for plain data", async () => {
    await msgpackSerializer.load();
    const { bytes, tagged } = msgpackSerializer.encode({ a: 1, b: [true, null, "x"] });
    assert.equal(tagged, false);
    // fixmap(2) "a" 1 "b" fixarray(3) true nil "x"
    assert.deepEqual([...bytes], [0x82, 0xa1, 0x61, 0x01, 0xa1, 0x62, 0x93, 0xc3, 0xc0, 0xa1, 0x78]);
  });

  it("registerClass rejects a name taken by another class and unregisters", () => {
    class Other {}
    assert.throws(() => registerClass(Other, { name: "Point" }), /already registered/);
    class Temporary {
      t = 1;
    }
    const off = registerClass(Temporary);
    const encoded = jsonSerializer.encode(new Temporary());
    off();
    assert.throws(() => jsonSerializer.encode(new Temporary()), SaveError);
    assert.throws(() => jsonSerializer.decode(encoded.bytes, true), /class Temporary, which is not registered/);
  });
});
