"""Python's side of bench/start_methods.py: multiprocessing's start methods and a Pool with
bytes arguments, measured the way conc-probe measures its process mode.

  startup METHOD WORKERS ROUNDS   start WORKERS processes with multiprocessing's METHOD and
                                  time until each has answered over a pipe; ROUNDS rounds,
                                  the median printed. For forkserver the first round also
                                  starts the server: it is printed apart ("server").
  crossover SIZES SECONDS         for each total input size (bytes), a Pool of 2 processes
                                  and a ThreadPool of 2 threads map the same 16 tasks, each
                                  a bytes slice of the input plus pure-Python compute worth
                                  SECONDS in all; prints each side's wall time of the map.

Prints one JSON object. Runs on CPython 3.4 and later (multiprocessing.get_context).
"""
import json
import multiprocessing
import statistics
import sys
import time
import zlib
from multiprocessing.pool import ThreadPool

TASKS = 16
WORKERS = 2


def answer(conn):
    conn.send_bytes(b"r")
    conn.close()


def start_round(context, workers):
    began = time.perf_counter()
    processes, parents = [], []
    for _ in range(workers):
        parent, child = context.Pipe(duplex=False)
        process = context.Process(target=answer, args=(child,))
        process.start()
        child.close()
        processes.append(process)
        parents.append(parent)
    for parent in parents:
        parent.recv_bytes()
    took = time.perf_counter() - began
    for process in processes:
        process.join()
    return took


def startup(method, workers, rounds):
    context = multiprocessing.get_context(method)
    first = start_round(context, workers)  # forkserver: the server starts here
    times = [start_round(context, workers) for _ in range(rounds)]
    out = {"method": method, "workers": workers, "startup_seconds": statistics.median(times)}
    if method == "forkserver":
        out["server_seconds"] = max(0.0, first - out["startup_seconds"])
    return out


def spin(iterations):
    total = 0
    for i in range(iterations):
        total += i
    return total


def task(args):
    chunk, iterations = args
    return zlib.crc32(chunk) + spin(iterations)


def calibrate(seconds):
    """Iterations of spin() that take `seconds` on this thread."""
    iterations = 10000
    while True:
        began = time.perf_counter()
        spin(iterations)
        took = time.perf_counter() - began
        if took > 0.05:
            return int(iterations * seconds / took)
        iterations *= 4


def crossover(sizes, seconds):
    per_task = max(1, calibrate(seconds) // TASKS)
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    rows = []
    with context.Pool(WORKERS) as processes, ThreadPool(WORKERS) as threads:
        processes.map(task, [(b"", 1)] * WORKERS)  # started before the clock, as conc-probe's
        for size in sizes:
            data = bytes(bytearray(range(256)) * (size // 256 + 1))[:size]
            step = size // TASKS
            work = [(data[i * step:(i + 1) * step], per_task) for i in range(TASKS)]
            row = {"input_bytes": size}
            for name, pool in (("process", processes), ("threads", threads)):
                times = []
                for _ in range(3):
                    began = time.perf_counter()
                    pool.map(task, work, chunksize=1)
                    times.append(time.perf_counter() - began)
                row[name + "_seconds"] = statistics.median(times)
            rows.append(row)
            del work, data
    return {"compute_seconds": seconds, "tasks": TASKS, "workers": WORKERS, "rows": rows}


def main(argv):
    if argv[1] == "startup":
        result = startup(argv[2], int(argv[3]), int(argv[4]))
    else:
        result = crossover([int(s) for s in argv[2].split(",")], float(argv[3]))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
