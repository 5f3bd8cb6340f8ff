"""Python peers of the file-store benchmark (bench/sections/20-file.ts): joblib.Memory and diskcache's
memoize, measured the same way as fleche. Each command prints one JSON line.

  hit  <joblib|diskcache> <dir>        median ns per warm hit of tiny(a, b) = a + b
  miss <joblib|diskcache> <dir>        median ns per miss-and-store of tiny with new arguments
  big-store <dir> <n>                  joblib: ms to store an n-element float64 result
  big-load <dir> <n>                   joblib, in a new process: ms to load it back, bytes on disk
  populate <dir> <count>               diskcache: store tiny(i, 0) for i < count
  thousand <dir>                       diskcache, in a new process: ms for the hits tiny(i, 0), i < 1000
"""
import json
import os
import statistics
import sys
import time


def tiny(a, b):
    return a + b


def memoizer(lib, directory):
    if lib == "joblib":
        from joblib import Memory

        return Memory(directory, verbose=0).cache(tiny)
    from diskcache import Cache

    return Cache(directory).memoize()(tiny)


def per_op(op, batch, batches):
    samples = []
    i = 0
    for _ in range(batches):
        start = time.perf_counter_ns()
        for _ in range(batch):
            op(i)
            i += 1
        samples.append((time.perf_counter_ns() - start) / batch)
    return statistics.median(samples)


def directory_size(directory):
    total = 0
    for root, _, files in os.walk(directory):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    return total


def make_big(n):
    import numpy

    return numpy.arange(n, dtype=numpy.float64) * 0.5


def main(command, *args):
    if command == "hit":
        lib, directory = args
        f = memoizer(lib, directory)
        f(1, 2)
        per_op(lambda i: f(1, 2), 500, 3)  # warm-up
        return {"ns": per_op(lambda i: f(1, 2), 2000, 10)}
    if command == "miss":
        lib, directory = args
        f = memoizer(lib, directory)
        offset = int(time.time() * 1000) % 1000000 * 1000
        return {"ns": per_op(lambda i: f(offset + i, 7), 200, 10)}
    if command in ("big-store", "big-load"):
        from joblib import Memory

        directory, n = args[0], int(args[1])
        data = make_big(n)
        big = Memory(directory, verbose=0).cache(lambda n: data, ignore=[])  # body returns a ready array
        start = time.perf_counter_ns()
        result = big(n)
        ms = (time.perf_counter_ns() - start) / 1e6
        assert result.shape == (n,)
        return {"ms": ms, "bytes": directory_size(directory)}
    if command == "populate":
        directory, count = args[0], int(args[1])
        f = memoizer("diskcache", directory)
        for i in range(count):
            f(i, 0)
        return {"count": count}
    if command == "thousand":
        (directory,) = args
        f = memoizer("diskcache", directory)
        start = time.perf_counter_ns()
        for i in range(1000):
            f(i, 0)
        return {"ms": (time.perf_counter_ns() - start) / 1e6}
    raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])))
