/**
 * `fleche/testing`: the conformance suites every store that ships with fleche passes, published so a
 * third-party store proves itself the same way (one call per role in a `node --test` file; see
 * docs/store-authors.md). The suites register their cases with `node:test`, which is why they live in
 * their own entry: importing the root entry never loads a test runner.
 *
 * @module fleche/testing
 */
export { valueStoreSuite, type ValueSuiteOptions } from "./testing/value-store.js";
export { callStoreSuite, sampleRecord, type CallSuiteOptions } from "./testing/call-store.js";
export { valueZoo, type ZooEntry } from "./testing/value-zoo.js";
export { leaseSuite, type LeaseSuiteOptions } from "./testing/lease-suite.js";
