#!/usr/bin/env python3
"""The asyncio programs bench/async_vs_asyncio.py compares conc-probe's `async` mode with.

Runs one scenario on the interpreter that runs it and prints one JSON object:
  sleep --tasks N --ops OPS --latency S     OPS sleeps of S seconds shared by N tasks
                                            (--tasks 0: time.sleep one after another)
  step --tasks N --ops OPS                   OPS awaits of a timer due at once, shared by N
                                            tasks: the loop's and the interpreter's cost of
                                            one task step (wall / OPS)
  lag --tasks N --ops OPS --compute S --latency S
                                            each op computes for S seconds (a countdown
                                            calibrated here) then awaits asyncio.sleep;
                                            how late every sleeping task resumed
Works on CPython 3.6 and later (no asyncio.run, no create_task before 3.7).
"""
import argparse
import asyncio
import json
import time


def count_down(n):
    while n:
        n -= 1


def iterations_for(seconds):
    """Countdown steps that take `seconds` here: the fastest of three timed runs."""
    n = 10000
    while True:
        start = time.perf_counter()
        count_down(n)
        took = time.perf_counter() - start
        if took > 0.002:
            break
        n *= 2
    best = min(_timed(n) for _ in range(3))
    return max(1, int(round(n * seconds / best)))


def _timed(n):
    start = time.perf_counter()
    count_down(n)
    return time.perf_counter() - start


def shares(ops, tasks):
    return [(i + 1) * ops // tasks - i * ops // tasks for i in range(tasks)]


async def sleeper(ops, latency):
    for _ in range(ops):
        await asyncio.sleep(latency)


async def computing(ops, steps, latency, lags):
    loop = asyncio.get_event_loop()
    for _ in range(ops):
        count_down(steps)
        due = loop.time() + latency
        await asyncio.sleep(latency)
        lags.append(max(0.0, loop.time() - due))


def run_tasks(coroutines):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        start = time.perf_counter()
        loop.run_until_complete(asyncio.gather(*coroutines))
        return time.perf_counter() - start
    finally:
        loop.close()


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = p / 100 * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["sleep", "step", "lag"])
    parser.add_argument("--tasks", type=int, default=1)
    parser.add_argument("--ops", type=int, default=320)
    parser.add_argument("--latency", type=float, default=0.001)
    parser.add_argument("--compute", type=float, default=0.001)
    opts = parser.parse_args()
    if opts.scenario == "sleep":
        if opts.tasks == 0:
            start = time.perf_counter()
            for _ in range(opts.ops):
                time.sleep(opts.latency)
            wall = time.perf_counter() - start
        else:
            wall = run_tasks([sleeper(n, opts.latency) for n in shares(opts.ops, opts.tasks)])
        print(json.dumps({"wall_seconds": wall}))
        return
    if opts.scenario == "step":
        # A timer (not sleep(0), which skips the timer heap) due a nanosecond later: the
        # whole path of a task's sleep -- future, timer handle, heap, wake-up -- but no wait.
        wall = run_tasks([sleeper(n, 1e-9) for n in shares(opts.ops, opts.tasks)])
        print(json.dumps({"wall_seconds": wall, "step_seconds": wall / opts.ops}))
        return
    steps = iterations_for(opts.compute)
    lags = []
    wall = run_tasks([computing(n, steps, opts.latency, lags) for n in shares(opts.ops, opts.tasks)])
    print(json.dumps({"wall_seconds": wall, "lag_p50": percentile(lags, 50), "lag_p99": percentile(lags, 99),
                      "count": len(lags)}))


if __name__ == "__main__":
    main()
