// Every finding rule fed crafted reports, the contradictory cases included; texts asserted.
#include <string>
#include <vector>

#include "engine/bench_parts.hpp"
#include "support/catch.hpp"

using namespace conc_probe;

namespace {

CellResult cell(const std::string& workload, Mode mode, unsigned workers, Ratio speedup,
                WorkloadKind kind = WorkloadKind::Cpu) {
  CellResult c;
  c.key.workload = workload;
  c.key.mode = mode;
  c.key.workers = workers;
  c.kind = kind;
  if (mode != Mode::Single) c.speedup = speedup;
  c.cores_used.n = 6;
  c.cores_used.median = mode == Mode::Single ? 0.99 : workers;
  return c;
}

CellResult single(const std::string& workload, WorkloadKind kind = WorkloadKind::Cpu) {
  return cell(workload, Mode::Single, 1, {}, kind);
}

BenchReport on_cpus(unsigned cpus, std::vector<CellResult> cells) {
  BenchReport report;
  report.platform.cpu.usable_fraction = cpus;
  report.cells = std::move(cells);
  return report;
}

std::string finding(const BenchReport& report, const std::string& topic) {
  for (const auto& f : engine::make_findings(report)) {
    if (f.topic == topic) return f.text;
  }
  return "";
}

}  // namespace

TEST_CASE("Findings: quote intervals and recommend processes only when measured", "[findings]") {
  auto report = on_cpus(2, {single("count"), cell("count", Mode::Process, 2, {1.95, 1.9, 2.0}),
                            cell("count", Mode::Threads, 2, {1.9, 1.8, 2.0}),
                            cell("count", Mode::Gil, 2, {0.97, 0.94, 0.99})});
  CHECK(finding(report, "cpu") ==
        "CPU-bound (count, 2 workers): process 1.9\xC3\x97 [1.9, 2], threads 1.9\xC3\x97 [1.8, 2], "
        "gil 0.97\xC3\x97 [0.94, 0.99] -> with a GIL, use processes for CPU work.");
  report.cells.erase(report.cells.begin() + 1);  // no process cell
  const std::string text = finding(report, "cpu");
  CHECK(text.find("use processes") == std::string::npos);
  CHECK(text.find("add --mode process to measure processes") != std::string::npos);
}

TEST_CASE("Findings: a busy or starved cell gets no verdict", "[findings]") {
  // Others left the cells about one CPU: cores used 0.95 everywhere, speed-ups near 1.
  auto loaded = on_cpus(2, {single("count"), cell("count", Mode::Threads, 2, {1.02, 0.9, 1.1}),
                            cell("count", Mode::Gil, 2, {0.98, 0.9, 1.05})});
  for (auto& c : loaded.cells) {
    c.busy = true;
    c.cores_used.median = 0.95;
  }
  const std::string busy = finding(loaded, "cpu");
  CHECK(busy.find("no mode ran faster") == std::string::npos);
  CHECK(
      busy.find("cannot conclude: others took CPU that the single, threads, gil cell(s) needed") !=
      std::string::npos);
  for (auto& c : loaded.cells) c.busy = false;
  // Unmarked, the threads cell still got less than half the CPUs it could use.
  CHECK(finding(loaded, "cpu")
            .find("cannot conclude: threads\xC3\x97"
                  "2 got 0.95 CPUs of the 2 "
                  "it could use") != std::string::npos);
  loaded.cells[0].cores_used.median = 0.6;
  CHECK(finding(loaded, "cpu").find("cannot conclude: the single cell got 0.60 of a CPU") !=
        std::string::npos);
  CHECK(finding(loaded, "noise").empty());
  loaded.cells[1].busy = true;
  CHECK(finding(loaded, "noise").starts_with("Others took CPU that 1 of 3 cells needed"));
}

TEST_CASE("Findings: overlapping intervals say so", "[findings]") {
  const auto report =
      on_cpus(2, {single("count"), cell("count", Mode::Threads, 2, {1.4, 1.1, 1.7})});
  CHECK(finding(report, "cpu").find("cannot conclude: an interval straddles 1.3") !=
        std::string::npos);
}

TEST_CASE("Findings: no speed-up on a quiet machine with CPUs to give is said as such",
          "[findings]") {
  const auto report =
      on_cpus(2, {single("count"), cell("count", Mode::Threads, 2, {1.0, 0.98, 1.02})});
  CHECK(finding(report, "cpu")
            .ends_with("no mode ran faster than one thread, although 2 CPUs were usable and no "
                       "cell was marked "
                       "busy."));
}

TEST_CASE("Findings: IO through threads and through the lock", "[findings]") {
  const auto io = WorkloadKind::Io;
  auto report =
      on_cpus(2, {single("sleep", io), cell("sleep", Mode::Threads, 8, {7.8, 7.6, 7.9}, io),
                  cell("sleep", Mode::Gil, 8, {7.7, 7.5, 7.9}, io)});
  CHECK(finding(report, "io").ends_with("waits overlap: for IO, threads work even with a GIL."));
  report.cells[2].speedup = Ratio{2.0, 1.8, 2.2};
  CHECK(finding(report, "io")
            .ends_with("the lock's hand-overs cost IO throughput here; threads did "
                       "better."));
}

TEST_CASE("Findings: an impossible speed-up is called out", "[findings]") {
  const auto report =
      on_cpus(2, {single("count"), cell("count", Mode::Process, 2, {2.7, 2.6, 2.8})});
  CHECK(finding(report, "cpu").find("2.6\xC3\x97 is more than 2 CPUs can give") !=
        std::string::npos);
}

TEST_CASE("Findings: under a fractional quota, the two rounding rules compared", "[findings]") {
  auto report = on_cpus(2, {single("count"), cell("count", Mode::Threads, 1, {1.0, 0.98, 1.02}),
                            cell("count", Mode::Threads, 2, {1.45, 1.4, 1.5})});
  report.platform.cpu.cgroup_quota = 1.5;
  report.platform.cpu.usable_fraction = 1.5;
  CHECK(finding(report, "quota") ==
        "CPU quota of 1.5 CPUs (count, threads): threads\xC3\x97"
        "1 1\xC3\x97 [0.98, 1] vs "
        "threads\xC3\x97"
        "2 1.4\xC3\x97 [1.4, 1.5] -> rounding up (2) uses the quota's fraction.");
  report.cells[2].speedup = Ratio{1.0, 0.9, 1.1};
  CHECK(finding(report, "quota").ends_with("the intervals overlap: either count does as well."));
  report.platform.cpu.cgroup_quota = 2.0;
  CHECK(finding(report, "quota").empty());
}

TEST_CASE("Findings: the convoy names what starved the IO thread in each mode", "[findings]") {
  auto gil = cell("convoy", Mode::Gil, 8, {0.10, 0.08, 0.12}, WorkloadKind::Io);
  auto threads = cell("convoy", Mode::Threads, 8, {0.40, 0.35, 0.45}, WorkloadKind::Io);
  auto process = cell("convoy", Mode::Process, 8, {0.35, 0.30, 0.40}, WorkloadKind::Io);
  threads.background_kept = Ratio{0.97, 0.95, 0.99};
  for (auto* c : {&gil, &threads, &process}) c->time_bounded = true;
  auto alone = single("convoy", WorkloadKind::Io);
  alone.time_bounded = true;
  const auto report = on_cpus(2, {alone, gil, threads, process});
  const std::string text = finding(report, "convoy");
  CHECK(text.find("gil\xC3\x97"
                  "8: the IO thread kept 10% [8, 12] of its throughput alone -> "
                  "starved by the lock") != std::string::npos);
  CHECK(text.find("threads\xC3\x97"
                  "8: the IO thread kept 40% [35, 45] of its throughput alone, "
                  "the CPU workers 97% [95, 99] of theirs -> starved by more runnable threads "
                  "than CPUs (8 beside it on 2)") != std::string::npos);
  CHECK(text.find("process\xC3\x97"
                  "8: the IO thread kept 35% [30, 40]") != std::string::npos);
  CHECK(text.find("only the lock") == std::string::npos);
}

namespace {

CellResult async_cell(const std::string& workload, unsigned workers, Ratio speedup,
                      WorkloadKind kind, double lag_p50, double lag_p99) {
  CellResult c = cell(workload, Mode::Async, workers, speedup, kind);
  c.cores_used.median = 0.05;
  c.loop_lag = LatencySummary{lag_p50, lag_p50, lag_p99, lag_p99, 100};
  return c;
}

std::string async_finding(const BenchReport& report) {
  std::string out;
  for (const auto& f : engine::make_findings(report)) {
    if (f.topic == "async") out += (out.empty() ? "" : "\n") + f.text;
  }
  return out;
}

}  // namespace

TEST_CASE("Findings: async against threads for IO", "[findings]") {
  const auto io = WorkloadKind::Io;
  auto report =
      on_cpus(2, {single("sleep", io), cell("sleep", Mode::Threads, 8, {7.8, 7.6, 7.9}, io),
                  async_cell("sleep", 8, {7.7, 7.5, 7.8}, io, 20e-6, 150e-6)});
  report.cells[1].cores_used.median = 0.12;
  CHECK(async_finding(report) ==
        "Async (sleep, 8 tasks): async 7.7\xC3\x97 [7.5, 7.8], threads 7.8\xC3\x97 [7.6, 7.9] -> "
        "one event loop matches threads for waiting, on 0.05 cores against threads' 0.12 (ready "
        "tasks ran 20 us late at p50, 150 us at p99).");
  report.cells[2].speedup = Ratio{5.0, 4.8, 5.2};
  CHECK(async_finding(report).find("one event loop trails threads here") != std::string::npos);
  report.config.async_blocking = true;
  report.cells[2].speedup = Ratio{1.0, 0.98, 1.01};
  report.cells[2].loop_lag = LatencySummary{7e-3, 7e-3, 7.2e-3, 8e-3, 50};
  CHECK(async_finding(report).find("every blocking call ran on the loop itself (--async-blocking) "
                                   "and stalled every other task: ready tasks ran 7 ms late at "
                                   "p50, 7.2 ms at p99.") != std::string::npos);
  report.cells[2].busy = true;
  CHECK(async_finding(report).find("cannot conclude") != std::string::npos);
}

TEST_CASE("Findings: a compute step on the loop stalls every task", "[findings]") {
  const auto mixed = WorkloadKind::Mixed;
  auto report = on_cpus(
      2, {single("mixed", mixed), async_cell("mixed", 8, {1.9, 1.8, 2.0}, mixed, 3e-3, 6.5e-3)});
  report.config.workload_defaults.io_latency = std::chrono::milliseconds(1);
  CHECK(async_finding(report) ==
        "Async (mixed, 8 tasks): async 1.9\xC3\x97 [1.8, 2] -> one task's compute step stalls "
        "every other task on the loop: ready tasks ran 3 ms late at p50, 6.5 ms at p99, against "
        "an IO wait of 1 ms.");
  report.cells[1].loop_lag = LatencySummary{10e-6, 10e-6, 50e-6, 60e-6, 100};
  CHECK(async_finding(report).find("the loop kept up") != std::string::npos);
  // Up to a millisecond late is the loop's timer unit (asyncio's too), not a stall.
  report.cells[1].loop_lag = LatencySummary{0.5e-3, 0.9e-3, 0.95e-3, 1e-3, 100};
  CHECK(async_finding(report).find("the loop kept up") != std::string::npos);
  // CPU-bound: no parallelism, whatever the lag.
  auto cpu = on_cpus(2, {single("count"), async_cell("count", 2, {1.0, 0.99, 1.01},
                                                     WorkloadKind::Cpu, 50e-6, 60e-6)});
  CHECK(async_finding(cpu).find("compute does not run in parallel") != std::string::npos);
  // No async cell: no finding.
  cpu.cells.pop_back();
  CHECK(async_finding(cpu).empty());
}

namespace {

CellResult mpi_cell(const std::string& workload, unsigned ranks, Ratio speedup,
                    WorkloadKind kind = WorkloadKind::Cpu) {
  CellResult c = cell(workload, Mode::Mpi, ranks, speedup, kind);
  Sample sample;
  sample.worker_hosts.assign(ranks, "vm");
  c.samples.push_back(sample);
  return c;
}

}  // namespace

TEST_CASE("Findings: mpi is measured beside the other modes", "[findings]") {
  const auto report =
      on_cpus(2, {single("count"), cell("count", Mode::Process, 2, {1.95, 1.9, 2.0}),
                  mpi_cell("count", 2, {1.9, 1.8, 2.0})});
  CHECK(finding(report, "cpu") ==
        "CPU-bound (count, 2 workers): process 1.9\xC3\x97 [1.9, 2], mpi 1.9\xC3\x97 [1.8, 2] -> "
        "process scales.");
  const auto alone = on_cpus(2, {single("count"), mpi_cell("count", 2, {1.9, 1.8, 2.0})});
  CHECK(finding(alone, "cpu").ends_with("-> mpi scales."));
  CHECK(finding(alone, "oversubscribed").empty());  // 2 ranks on 2 CPUs fit
}

TEST_CASE("Findings: the start-up of MPI ranks beside processes and threads", "[findings]") {
  auto with_startup = [](CellResult c, double seconds) {
    c.startup.n = 3;
    c.startup.median = c.startup.ci_low = c.startup.ci_high = seconds;
    return c;
  };
  auto report = on_cpus(
      2, {single("count"), with_startup(cell("count", Mode::Process, 2, {1.9, 1.8, 2.0}), 0.005),
          with_startup(cell("count", Mode::Threads, 2, {1.9, 1.8, 2.0}), 0.0002),
          with_startup(mpi_cell("count", 2, {1.9, 1.8, 2.0}), 0.5)});
  const std::string text = finding(report, "startup");
  CHECK(
      text.starts_with("Start-up of 2 workers: processes (fork) 5.00 ms [5.00, 5.00], MPI ranks "
                       "500.00 ms [500.00, 500.00], threads 0.20 ms [0.20, 0.20]."));
  CHECK(text.find("MPI_Init") != std::string::npos);
  report.cells.erase(report.cells.begin() + 1);  // no process cell: mpi against threads
  CHECK(finding(report, "startup")
            .starts_with("Start-up of 2 workers: MPI ranks 500.00 ms [500.00, 500.00], threads"));
}

TEST_CASE("Findings: MPI ranks beyond the CPUs are called oversubscribed", "[findings]") {
  auto net = mpi_cell("net", 3, {1.0, 0.9, 1.1}, WorkloadKind::Io);
  net.latency = LatencySummary{4e-6, 1e-3, 12e-3, 20e-3, 100};
  auto net2 = mpi_cell("net", 2, {1.0, 0.9, 1.1}, WorkloadKind::Io);
  net2.latency = LatencySummary{2e-6, 3e-6, 9e-6, 1e-4, 100};
  auto report = on_cpus(
      2, {single("count"), mpi_cell("count", 2, {1.9, 1.8, 2.0}),
          mpi_cell("count", 3, {2.0, 1.8, 2.1}), single("net", WorkloadKind::Io), net2, net});
  const std::string text = finding(report, "oversubscribed");
  CHECK(
      text.starts_with("Oversubscribed: up to 3 MPI ranks on a host with 2 usable CPUs (count: "
                       "mpi\xC3\x97"
                       "3 2\xC3\x97 [1.8, 2.1] against mpi\xC3\x97"
                       "2 1.9\xC3\x97 [1.8, 2]; net: mpi\xC3\x97"
                       "3 p50 4 us / p99 12 ms against mpi\xC3\x97"
                       "2 p50 2 us / p99 9 us)."));
  CHECK(text.find("no faster than 2 CPUs") != std::string::npos);
  CHECK(text.find("spins on its CPU") != std::string::npos);
  CHECK(text.find("Run at most 2 ranks per host") != std::string::npos);
  // The CPU-bound speed-up finding speaks of the ranks that fit, not of the timesharing ones.
  CHECK(finding(report, "cpu").find("mpi 1.9\xC3\x97 [1.8, 2]") != std::string::npos);
  // Three ranks spread over two hosts fit their CPUs.
  for (auto& c : report.cells) {
    if (c.key.mode == Mode::Mpi && c.key.workers == 3)
      c.samples.front().worker_hosts = {"a", "a", "b"};
  }
  CHECK(finding(report, "oversubscribed").empty());
}
