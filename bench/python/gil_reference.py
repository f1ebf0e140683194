#!/usr/bin/env python3
"""CPython's own figures for the scenarios of `conc-probe bench --mode gil`.

Each scenario prints one JSON object on stdout. Run with any CPython 3.x (and the `cpu`,
`hold` and `io` scenarios with Python 2.7 for the legacy lock). Used by
bench/gil_vs_cpython.py, which runs conc-probe on the same scenarios beside it.

  gil_reference.py cpu   --count N --threads T     wall and CPU time of a countdown split over T threads
  gil_reference.py hold  --interval S --seconds D  hold times of 2 spinning threads
  gil_reference.py io    --ops N --threads T --latency S   blocking sleeps
  gil_reference.py convoy --interval S --seconds D --cpu-threads K   IO round trips beside CPU threads
"""
from __future__ import print_function

import argparse
import json
import os
import socket
import sys
import threading
import time

try:
    from time import perf_counter as now
except ImportError:  # Python 2
    from time import time as now

try:
    process_time = time.process_time
except AttributeError:  # Python 2: os.times() has user and system CPU of the process
    def process_time():
        t = os.times()
        return t[0] + t[1]


def set_interval(seconds):
    if hasattr(sys, "setswitchinterval"):
        sys.setswitchinterval(seconds)


def countdown(n):
    while n > 0:
        n -= 1


def run_threads(target, args_list):
    """Runs target(*args) on a thread per args; returns the wall time from the moment every
    thread had started to the last one's end. Starting a thread is timed apart, as conc-probe
    times its workers' start-up apart from the work (its wall starts at a barrier):
    Thread.start() waits for the new thread, so 16 starts cost about a millisecond here,
    5-8% of 320 sleeps of 1 ms over 16 threads."""
    go = threading.Event()

    def gated(*args):
        go.wait()
        target(*args)

    threads = [threading.Thread(target=gated, args=args) for args in args_list]
    for t in threads:
        t.start()
    start = now()
    go.set()
    for t in threads:
        t.join()
    return now() - start


def scenario_cpu(opts):
    per = opts.count // opts.threads
    cpu0 = process_time()
    if opts.threads == 1:
        wall0 = now()
        countdown(opts.count)
        wall = now() - wall0
    else:
        wall = run_threads(countdown, [(per,)] * opts.threads)
    cpu = process_time() - cpu0
    return {"threads": opts.threads, "wall_seconds": wall, "cores_used": cpu / wall}


def scenario_hold(opts):
    """Two threads spin; each notices when the other ran since its last look. A hold is the
    time between two changes of the thread that is running."""
    set_interval(opts.interval)
    state = {"last": None, "changed_at": now(), "holds": []}
    deadline = now() + opts.seconds

    def spin(me):
        holds = state["holds"]
        while True:
            if state["last"] is not me:
                t = now()
                if state["last"] is not None:
                    holds.append(t - state["changed_at"])
                state["changed_at"] = t
                state["last"] = me
                if t > deadline:
                    return
            elif now() > deadline:
                return

    run_threads(spin, [(1,), (2,)])
    holds = state["holds"][1:]  # the first hold starts before both threads run
    mean = sum(holds) / len(holds) if holds else None
    return {"interval": opts.interval, "mean_hold_seconds": mean,
            "switches_per_second": len(holds) / opts.seconds}


def scenario_io(opts):
    per = opts.ops // opts.threads

    def worker(n):
        for _ in range(n):
            time.sleep(opts.latency)

    wall = run_threads(worker, [(per,)] * opts.threads)
    return {"threads": opts.threads, "ops": per * opts.threads, "wall_seconds": wall}


def echo_server_process():
    """An echo server in a separate process, so its own work never waits for our lock."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    pid = os.fork()
    if pid == 0:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            data = conn.recv(64)
            if not data:
                os._exit(0)
            conn.sendall(data)
    listener.close()
    return pid, port


def scenario_convoy(opts):
    set_interval(opts.interval)
    pid, port = echo_server_process()
    client = socket.create_connection(("127.0.0.1", port))
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    stop = [False]

    def spin():
        while not stop[0]:
            countdown(1000)

    def round_trips(seconds):
        count, t0 = 0, now()
        while now() - t0 < seconds:
            client.sendall(b"x" * 16)
            client.recv(64)
            count += 1
        return count / (now() - t0)

    alone = round_trips(opts.seconds)
    spinners = [threading.Thread(target=spin) for _ in range(opts.cpu_threads)]
    for t in spinners:
        t.start()
    loaded = round_trips(opts.seconds)
    stop[0] = True
    for t in spinners:
        t.join()
    client.close()
    os.waitpid(pid, 0)
    return {"interval": opts.interval, "cpu_threads": opts.cpu_threads,
            "io_ops_per_second_alone": alone, "io_ops_per_second": loaded}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=["cpu", "hold", "io", "convoy"])
    parser.add_argument("--count", type=int, default=20000000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--interval", type=float, default=0.005)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--ops", type=int, default=320)
    parser.add_argument("--latency", type=float, default=0.001)
    parser.add_argument("--cpu-threads", type=int, default=1)
    opts = parser.parse_args()
    result = globals()["scenario_" + opts.scenario](opts)
    result["python"] = sys.version.split()[0]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
