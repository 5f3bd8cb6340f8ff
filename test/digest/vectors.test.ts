/**
 * Pinned test vectors: the digests of the vector zoo and a few call keys, hard-coded. Digests are a public
 * contract (they address stored values across versions and machines), so any change to hashing must fail
 * here loudly. The same table is in docs/digest.md. Never "update" these without a new digest version.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { digest, makeCallKeyer, type FunctionIdentity } from "../../src/digest/index.js";
import { registerZooHooks, zoo } from "./zoo.js";

const PINNED: [string, string][] = [
  ["undefined", "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"],
  ["null", "4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a"],
  ["false", "dbc1b4c900ffe48d575b5da5c638040125f65db0fe3e24494b76ea986457d986"],
  ["true", "084fed08b978af4d7d196a7446a86b58009e636b611db16211b65a9aadff29c5"],
  ["0", "93e60f669b99ad3e3ee6284b139e57adfb419960f390858e46ea565bbf82d001"],
  ["-0", "a78e85468abe2fefc1c36a8278057b11574835a6940a2fcc5972f93e558dd838"],
  ["1", "504db1da3eb9adacae535011f0bc1e0827e0dd13db498950984eaece64258bc5"],
  ["-1.5", "7aa05ca0f19f92f4f6bc6f55b83335dee286d3b9746628d8c4a838145054a853"],
  ["NaN", "6997e9a471855f0157b7143cc36171cffd68133af87bd4262e01c3ba1948c80b"],
  ["Infinity", "52cafc688fd407885bcc5886e59a91025f0791b32a68098a203844044a8292a2"],
  ["-Infinity", "6cbd5043e92d5a31a714cf6e94786f28cc6ece90f07257f7cd68d671a52625f9"],
  ["2**53", "c4623f5def90a39e473a839a725f0ef1af7a3d059469e6735bf3d941a44b4ffd"],
  ["0n", "69c492e24afa52c556de5ea70e1b5d7da3f0bc7a5a7fd1d413444c1a42a7e9b3"],
  ["1n", "836711afaac184310aeb6f810a1bc5116e86e4081f9df86671031cdc66962c47"],
  ["-1n", "c53f2835d70e01cfc91689d2802de8e8166e67b838bf2a61538fe751dd067b95"],
  ["2n**64n", "d131bef170b43abee36ce4424e8384db620f51ef603385004dbea3037213c80c"],
  ["\"\"", "ceb827ad3d3884fd4d50ae6099d6d50c09a21e72ebd309708e8b69d93df19e55"],
  ["\"1\"", "36f26b199c5636b0297ed430f518bc1560acf84c7cfa5b756babf4c4929c409a"],
  ["\"hello\"", "777e94c9272dc60c24805e62574c9ebe6444ee983cbead4dc6bcea518d8e5b26"],
  ["\"héllo wörld ✓\"", "041ec6a9003a0a4fc1a5c2377085ed01975ca7c92c24b500b022b607967a24fc"],
  ["\"😀\"", "ea18366c7ed0a2f226921985de7fb02e1c67a78aa6976199dddd1cc44a228cd3"],
  ["\"\\uD800\" (lone surrogate)", "c54f3dab6d596b5cb27a324ece9b54a1c6910799b8590b3ae965c5dd9dabe9df"],
  ["\"x\".repeat(200)", "5a77750767aa3b7899ec624f84cccbd17be516fa98efef31e07da6b8ec2e4b5f"],
  ["[]", "707bf0b938f307b5c222e670598b865d5e1f8a8003df82c7abbf7c9f8fa4d720"],
  ["[1, \"1\", 1n]", "ccadce47f6c04509c2d2e68e211c82bcc2b405ebe9cecf2dd7392ede2242cdfb"],
  ["[, 1] (hole)", "69c4e5ccd6c5a1a86bffbdbc6896c0beab8ae93aa6dbadae4bf6458705ff8b02"],
  ["[undefined, 1]", "45878b6a5a0272a7ca1126d69cbfdefc41aad6ef633710f77596aad051e9947c"],
  ["{}", "08da7c45cb204377e7e42249cda5713fa865116ddbb4cb5a1949b2e5b438a6ab"],
  ["{ b: 1, a: 2 }", "86155bf4cfab11250ef41d7175f9b5307cb96fbc45588bca6cd9e0ba3065c691"],
  ["{ a: undefined }", "463547e19463106dbe70259a70d7353c14df4b4ebbace3f58c4252806311b345"],
  ["{ a: [{ b: null }] }", "b79c0dbcfe88af28dc0146bb16d43846c917228a89c34d4eeacdb28b68304e6e"],
  ["Object.create(null) { k: \"v\" }", "2880074bc6a6c070f5325061c5a3845fb0b06399838b44bff845181c348a2f8a"],
  ["Map { 1 => \"a\", \"1\" => \"b\" }", "146771c3b01af98bd7d45dc83f03d0ff72d949c26973cd38daa08c6c6f1e70d1"],
  ["Map { [1] => {} }", "690b4bea80fb846a420397afdfd13cde132c82dfea45f424ca5267885da2c1cd"],
  ["Set { 3, 1, \"2\" }", "0590883bc9e235fe698dcdee31818cd15514b828d31e9f22a86fc7106ce0bba9"],
  ["Set { [1, 2] }", "ba4156314d19d45ae3ea6c155990e7ab9012ed365b5b1dc2e1fada20ad92bd56"],
  ["new Date(0)", "470b103921f87d93995c30158d09a9dfa63a467ca8295d1a5577872302135186"],
  ["new Date(NaN)", "807a44b56112253bdbafa6603bc774705509c002661fa5d3b8648a1063fbd914"],
  ["/a+b/gi", "c558117a97c96e33fa4c0fe436b7ea22310f1fa6b8891fa17ef80f1c3467e228"],
  ["Int8Array [-1, 2]", "1087a6850f5e2f5383c7193b8af0f64f0866d0597d1965ef82d73cb7e58d35e0"],
  ["Uint8Array [1, 2]", "2b4421cec97da3d453c4d88fe759aae5cf78e47687dfdee26e46b0aaa9f6b2c2"],
  ["Uint8ClampedArray [1, 2]", "7634f15f12415fe0b4d133beebc31d1ebb803b05df791a6910ac422840342a64"],
  ["Int16Array [-1, 2]", "4fbe41a0f50c4146683af8113fd04f0d51ba2636169db897b204caa57237ee92"],
  ["Uint16Array [1, 2]", "7428d1b83d4251dcaa281f256cdbcc79c028fc9d3d6722d503d47494912f66a6"],
  ["Int32Array [-1, 2]", "ab44ef0119542b7c73c377c0fc7ad9ece13e7d45e5017238078ad346ab731503"],
  ["Uint32Array [1, 2]", "a2a93349e3beb4bf00a981de4d5506cd056cf28123b3e50793fbec6d51bb6853"],
  ["Float32Array [1, 2]", "37c2e342c9999b88bdf7d20d3863b0b23a78ea3840864a8cb12c2563659cc99c"],
  ["Float64Array [1, 2]", "2ccf4b80021171059c8da3494bf38bd91a68c6e95283f82713ddad39bce93f2f"],
  ["BigInt64Array [-1n, 2n]", "a1f113361aac4c6a128150b7216099696ddd38ef8635ef273f57472bb1b88ff1"],
  ["BigUint64Array [1n, 2n]", "6855277f91bc103ebbd9ae2f61062dc468da9f8c48bf15149ed474e956962120"],
  ["Buffer.from(\"ab\")", "4b61a84c8a754f1d297ca8d1af438fd137c9b8490c83636ac1c4ed241b02dc59"],
  ["ArrayBuffer [1, 2]", "43cca3c84479ccaf9ae4c09eae6c2834afc598963cc96de61199fe0a7d9f2ce0"],
  ["DataView [1, 2]", "d502f34e563bd2714ed9d02ea4d751988b119c6e783197106fe0730e439ecc75"],
  ["SharedArrayBuffer [1, 2, 3, 4]", "3789c99b1075c59589b4534cd2b1d39504f95889b5fee7b0e3a8f0900b190e64"],
  ["[D(\"ab\")]", "2c0a6e671644a356e8c936b1931d44a61fef9b084967db43483d9a0030237445"],
  ["x = { name, self: x }", "dd4a563a4f0b2cfd097d6c8e6bdf7c4acdd13e6308327c9e3ad824d35082e7ce"],
  ["a = { name, next: b = { name, next: a } }", "0bb45c58b9a08a4b99a26986adf1bcdfd3af066e8836f7ca395db614727af657"],
  ["new Point(1, 2) (symbol method)", "e8b3682d4d1ee2a7c398df8899d33197b150d726a8e1430b244760009ab7da2b"],
  ["new Temperature(300) (hook)", "fc01e299a90228d4a7e42b52ec400a4475c04a0d4b3e229cf69f74d33fa80278"],
  ["new Function(\"a\", \"b\", \"return a + b\")", "a6f80fb96561ccb586a5b8f65c2135717c284aff2b44bc25f1496133e87adad6"],
  ["Math.max (native)", "ba087532bb27193d94457737e0e5c8d368c3d94f4cb2f6e1600168935560c41b"],
];

describe("pinned digests of the vector zoo", () => {
  registerZooHooks();
  const values = new Map(zoo());

  test("the zoo and the pinned table name the same values", () => {
    assert.deepEqual([...values.keys()], PINNED.map(([name]) => name));
  });
  for (const [name, hex] of PINNED) {
    test(name, () => assert.equal(digest(values.get(name)), hex));
  }
});

test("docs/digest.md lists the same vectors", () => {
  const docs = readFileSync(new URL("../../docs/digest.md", import.meta.url), "utf8");
  for (const [name, hex] of PINNED) assert.ok(docs.includes(`| \`${name}\` | \`${hex}\` |`), `docs row for ${name}`);
});

describe("pinned call keys", () => {
  const add: FunctionIdentity = { name: "add", module: "examples/add", version: 1, codeDigest: null };
  const cases: [string, FunctionIdentity, string[], unknown[], string][] = [
    ["add(a=2, b=3)", add, ["a", "b"], [2, 3], "4a00021e51f53543595fbe0dcd8b749cc00d6b92d46ece00c8bd650ff6b53914"],
    ["add(a=3, b=2)", add, ["a", "b"], [3, 2], "1ba2b316e6e47a83cd5cbe75612ffd5008379e9a48c91ecd666babeb31b827ef"],
    [
      "now() without module or version",
      { name: "now", module: null, version: null, codeDigest: null },
      [],
      [],
      "17a694908a20e63479c34331bca600908f2e3a602140cfbada546742acdd49c7",
    ],
    [
      'fit(data=[1, 2, 3], rate=0.5), version "2.0", codeDigest digest("src")',
      { name: "fit", module: "ml/train", version: "2.0", codeDigest: digest("src") },
      ["data", "rate"],
      [[1, 2, 3], 0.5],
      "ffde063e94dc56d4fd1bc224f360f70e2d87075ba88610ccb0284e2c2755edcf",
    ],
  ];
  for (const [label, identity, names, args, key] of cases) {
    test(label, () => assert.equal(makeCallKeyer(identity)(names, args.map(digest)), key));
  }
  test("docs/digest.md lists the same call keys", () => {
    const docs = readFileSync(new URL("../../docs/digest.md", import.meta.url), "utf8");
    for (const [, , , , key] of cases) assert.ok(docs.includes(`\`${key}\``), key);
  });
});
