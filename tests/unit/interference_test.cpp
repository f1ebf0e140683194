#include "conc_probe/interference.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "engine/sched_sources.hpp"
#include "support/catch.hpp"

using namespace conc_probe;
using stats::InterferenceInputs;

namespace {

InterferenceInputs cell(unsigned workers, double capacity, double cpu, double wait) {
  InterferenceInputs in;
  in.workers = workers;
  in.wall_seconds = 1.0;
  in.capacity = capacity;
  in.cpu_seconds = cpu;
  in.wait_seconds = wait;
  return in;
}

Sample sample_with(const SampleInterference& interference, double wall = 0.2) {
  Sample sample;
  sample.wall_seconds = wall;
  sample.interference = interference;
  return sample;
}

}  // namespace

TEST_CASE("Interference: a one-worker cell is not spoilt by a load on the other CPU",
          "[interference]") {
  const auto one = stats::assess_interference(cell(1, 2, 1.0, 0.001));
  REQUIRE(one.taken_fraction);
  CHECK(*one.taken_fraction < 0.01);
  CHECK(one.source == "run delay");
}

TEST_CASE("Interference: what others took of the CPUs the workers needed", "[interference]") {
  // Two CPU-bound workers on two CPUs ran one CPU's worth and waited another: others had it.
  const auto half = stats::assess_interference(cell(2, 2, 1.0, 1.0));
  CHECK(*half.taken_fraction == Approx(0.5));
  CHECK(half.needed_cpus == Approx(2.0));
  CHECK(half.taken_cpus == Approx(1.0));
  CHECK_FALSE(half.waits);
}

TEST_CASE("Interference: the cell's own oversubscription and a quota are not counted",
          "[interference]") {
  // Eight workers on two CPUs wait for each other: 2 CPUs run, 6 CPU-seconds wait.
  CHECK(*stats::assess_interference(cell(8, 2, 2.0, 6.0)).taken_fraction == Approx(0.0));
  // A 1.2-CPU quota: two workers get 1.2 CPUs and wait (throttled) the rest.
  auto quota = cell(2, 1.2, 1.2, 0.8);
  quota.throttled_seconds = 0.4;
  const auto throttled = stats::assess_interference(quota);
  CHECK(*throttled.taken_fraction == Approx(0.0));
  CHECK(throttled.throttled_seconds == Approx(0.4));
}

TEST_CASE("Interference: a sleeping cell's loss is its workers' wake-up delay", "[interference]") {
  const auto little = stats::assess_interference(cell(8, 2, 0.05, 0.04));
  CHECK(little.waits);
  CHECK(*little.taken_fraction == Approx(0.04 / 8));
  const auto delayed = stats::assess_interference(cell(8, 2, 0.05, 0.4));
  CHECK(*delayed.taken_fraction == Approx(0.05));
}

TEST_CASE("Interference: /proc/stat's other CPU where the run delay is unknown", "[interference]") {
  InterferenceInputs in;
  in.workers = 2;
  in.wall_seconds = 1.0;
  in.capacity = 2;
  in.cpu_seconds = 1.5;
  in.other_cores = 0.5;
  const auto two = stats::assess_interference(in);
  CHECK(two.source == "cpu totals");
  CHECK(*two.taken_fraction == Approx(0.25));
  in.workers = 1;
  in.cpu_seconds = 1.0;
  CHECK(*stats::assess_interference(in).taken_fraction == Approx(0.0));  // the spare CPU
  in.other_cores.reset();
  CHECK_FALSE(stats::assess_interference(in).taken_fraction.has_value());
}

TEST_CASE("Interference: the cell's mark says how much, only beyond the threshold",
          "[interference]") {
  SampleInterference quiet{0.01, 2, 0.02, false, 0, 0, 0, "run delay"};
  SampleInterference loaded{0.2, 2, 0.4, false, 0, 0, 0, "run delay"};
  const std::vector<Sample> calm{sample_with(quiet), sample_with(quiet), sample_with(loaded)};
  CHECK(stats::summarize_interference(calm).mark.empty());  // one loaded repetition of three
  const std::vector<Sample> busy{sample_with(loaded), sample_with(loaded), sample_with(quiet)};
  const auto marked = stats::summarize_interference(busy);
  CHECK(marked.mark == "others took 0.4 of the 2 CPUs this cell needed");
  SampleInterference sleepy{0.08, 0.1, 0.008, true, 0, 0, 0, "run delay"};
  const std::vector<Sample> io{sample_with(sleepy), sample_with(sleepy)};
  CHECK(stats::summarize_interference(io).mark ==
        "others delayed its workers' wake-ups by 8% of their time");
}

TEST_CASE("Interference: throttling and a cell too short for the quota are said",
          "[interference]") {
  SampleInterference throttled{0.0, 1.2, 0, false, 0.038, 2, 2, "run delay"};
  const std::vector<Sample> samples{sample_with(throttled), sample_with(throttled)};
  const auto out = stats::summarize_interference(samples);
  CHECK(out.mark.empty());
  CHECK(out.throttling == "throttled 38 ms of 200 ms");
  REQUIRE(out.notes.size() == 1);
  CHECK(out.notes[0].find("2 quota period(s)") != std::string::npos);
  SampleInterference ticked{0.0, 2, 0, false, 0, 0, 0, "cpu totals"};
  const std::vector<Sample> short_ones{sample_with(ticked, 0.05), sample_with(ticked, 0.05)};
  const auto coarse = stats::summarize_interference(short_ones);
  REQUIRE(coarse.notes.size() == 1);
  CHECK(coarse.notes[0].find("10 ms ticks") != std::string::npos);
}

TEST_CASE("Sched sources: schedstat and cpu.stat of both cgroup versions", "[interference]") {
  const auto stat = engine::parse_schedstat("123456 7890 12\n");
  REQUIRE(stat);
  CHECK(stat->run_ns == 123456);
  CHECK(stat->wait_ns == 7890);
  CHECK_FALSE(engine::parse_schedstat("garbage").has_value());
  CHECK_FALSE(engine::parse_schedstat("").has_value());
  const auto v2 = engine::parse_cpu_stat(
      "usage_usec 100\nuser_usec 60\nsystem_usec 40\nnr_periods 50\nnr_throttled 7\n"
      "throttled_usec 38000\n");
  REQUIRE(v2);
  CHECK(v2->periods == 50);
  CHECK(v2->throttled_periods == 7);
  CHECK(v2->throttled_seconds == Approx(0.038));
  const auto v1 = engine::parse_cpu_stat("nr_periods 9\nnr_throttled 3\nthrottled_time 5000000\n");
  REQUIRE(v1);
  CHECK(v1->throttled_seconds == Approx(0.005));
  CHECK_FALSE(engine::parse_cpu_stat("usage_usec 100\n").has_value());
}

TEST_CASE(
    "Sched sources: throttling is what each group went through, never one group's total against "
    "another's",
    "[interference]") {
  using engine::Throttling;
  // An ancestor throttled for 5 s long ago and quiet now; this run's own group throttled 80 ms.
  const std::vector<std::optional<Throttling>> before = {Throttling{1000, 400, 5.0},
                                                         Throttling{10, 2, 0.010}, std::nullopt};
  const std::vector<std::optional<Throttling>> after = {
      Throttling{1004, 400, 5.0}, Throttling{14, 6, 0.090}, Throttling{3, 3, 1.0}};
  const auto between = engine::throttling_between(before, after);
  REQUIRE(between);
  CHECK(between->throttled_seconds == Approx(0.080));
  CHECK(between->throttled_periods == 4);
  CHECK(between->periods == 4);
  // A counter that went backwards (a group removed and made again) is no throttling, not a wrap.
  const auto reset = engine::throttling_between({Throttling{10, 5, 1.0}}, {Throttling{2, 1, 0.1}});
  REQUIRE(reset);
  CHECK(reset->throttled_seconds == 0.0);
  CHECK(reset->throttled_periods == 0);
  CHECK_FALSE(engine::throttling_between({std::nullopt}, {Throttling{}}).has_value());
}

TEST_CASE("Sched sources: this process's cgroups and their ancestors", "[interference]") {
  const char* cgroup = "12:cpu,cpuacct:/ci/job\n0::/user.slice/run\n";
  const char* mountinfo =
      "31 23 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
      "32 23 0:29 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
      "33 23 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
  const auto files = engine::cpu_stat_files(cgroup, mountinfo);
  const std::vector<std::filesystem::path> expected{
      "/sys/fs/cgroup/cpu,cpuacct/ci/job/cpu.stat",
      "/sys/fs/cgroup/cpu,cpuacct/ci/cpu.stat",
      "/sys/fs/cgroup/cpu,cpuacct/cpu.stat",
      "/sys/fs/cgroup/unified/user.slice/run/cpu.stat",
      "/sys/fs/cgroup/unified/user.slice/cpu.stat",
      "/sys/fs/cgroup/unified/cpu.stat"};
  for (const auto& file : expected) CHECK(std::count(files.begin(), files.end(), file) == 1);
  CHECK(files.size() == expected.size());
  // A container's view: the mount's root is its own cgroup.
  const auto inside = engine::cpu_stat_files("0::/docker/abc\n",
                                             "40 1 0:3 /docker/abc /sys/fs/cgroup rw - "
                                             "cgroup2 cgroup2 rw\n");
  REQUIRE(inside.size() == 1);
  CHECK(inside[0] == "/sys/fs/cgroup/cpu.stat");
}

TEST_CASE("Sched sources: a spinning thread is running or waiting all the time", "[interference]") {
  const auto before = engine::read_thread_schedstat();
  if (!before) {
    WARN("this kernel keeps no schedstat");
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  volatile std::uint64_t spin = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(100)) spin = spin + 1;
  const auto after = engine::read_thread_schedstat();
  REQUIRE(after);
  // Runnable for 100 ms: on a CPU or waiting for one, whatever else the machine does.
  const double runnable =
      static_cast<double>((after->run_ns - before->run_ns) + (after->wait_ns - before->wait_ns)) *
      1e-9;
  CHECK(runnable > 0.08);
  CHECK(runnable < 0.5);
}
