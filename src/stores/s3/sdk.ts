/**
 * Loading the AWS SDK v3 (`@aws-sdk/client-s3`, and `@aws-sdk/lib-storage` for multipart uploads): both
 * are optional dependencies, imported on first use so that a cache without an S3 store never loads them,
 * and a missing one is a clear `FLECHE_MISSING_DEPENDENCY` error naming the package to install.
 *
 * The SDK warns, once per process, when it runs on Node < 22 that its releases after January 2027 will
 * need Node 22. fleche pins an SDK version that supports Node 20 (package.json), so that warning is not
 * the user's to act on: the client is built with the SDK's own switch for exactly that warning
 * (`AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED`, read only while a client is constructed) set for
 * the duration of the constructor and restored right after, so the process environment and every other
 * warning (the SDK's or anyone's) are left as they were.
 */
import type * as ClientS3 from "@aws-sdk/client-s3";
import type * as LibStorage from "@aws-sdk/lib-storage";
import { FlecheError } from "../../errors.js";

/** The SDK's client module. */
export type S3Module = typeof ClientS3;
/** The SDK's multipart upload module. */
export type StorageModule = typeof LibStorage;

/** The environment switch the SDK reads before its Node-version warning (and nothing else). */
const WARNING_SWITCH = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";

let s3Module: Promise<S3Module> | undefined;
let storageModule: Promise<StorageModule> | undefined;

/** `@aws-sdk/client-s3`, loaded once. @throws FlecheError (FLECHE_MISSING_DEPENDENCY) when it is not installed. */
export function loadS3(label: string): Promise<S3Module> {
  s3Module ??= import("@aws-sdk/client-s3");
  return s3Module.catch((error: unknown) => {
    s3Module = undefined; // installed later in a long-running process: try again next time
    throw missing(label, "@aws-sdk/client-s3", error);
  });
}

/** `@aws-sdk/lib-storage`, loaded once. @throws FlecheError (FLECHE_MISSING_DEPENDENCY) when it is not installed. */
export function loadStorage(label: string): Promise<StorageModule> {
  storageModule ??= import("@aws-sdk/lib-storage");
  return storageModule.catch((error: unknown) => {
    storageModule = undefined;
    throw missing(label, "@aws-sdk/lib-storage", error);
  });
}

function missing(label: string, name: string, error: unknown): FlecheError {
  return new FlecheError(
    `${label}: S3 stores need the optional package '${name}' (npm install @aws-sdk/client-s3 @aws-sdk/lib-storage): ${(error as Error).message}`,
    "FLECHE_MISSING_DEPENDENCY",
    { cause: error },
  );
}

/** Build a client with the SDK's Node-version warning switched off for the constructor only (see above). */
export function quietClient(sdk: S3Module, config: ClientS3.S3ClientConfig): ClientS3.S3Client {
  const before = process.env[WARNING_SWITCH];
  process.env[WARNING_SWITCH] = "true";
  try {
    return new sdk.S3Client(config);
  } finally {
    if (before === undefined) delete process.env[WARNING_SWITCH];
    else process.env[WARNING_SWITCH] = before;
  }
}
