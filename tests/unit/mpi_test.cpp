#include <unistd.h>

#include <csignal>
#include <string>

#include "conc_probe/error.hpp"
#include "conc_probe/rank_report.hpp"
#include "conc_probe/workload.hpp"
#include "engine/executor.hpp"
#include "engine/mpi_launch.hpp"
#include "engine/mpi_task.hpp"
#include "engine/worker_loop.hpp"
#include "support/catch.hpp"
#include "support/test_support.hpp"

using namespace conc_probe;
using namespace conc_probe::engine;

namespace {

/// Real ranks need an MPI build and a launcher; without either the real-path tests are
/// skipped here and the CLI test checks the "not built in" and "no mpirun" errors.
bool can_launch() { return mpi_built_in() && find_mpirun().has_value(); }

ExecutionPlan mpi_plan(unsigned ranks, std::uint64_t total_ops) {
  ExecutionPlan plan;
  plan.mode = Mode::Mpi;
  plan.workers = ranks;
  plan.total_ops = total_ops;
  plan.worker_binary = conc_probe::testing::binary_path().string();
  plan.timeout = std::chrono::seconds(60);
  return plan;
}

/// The checksum `single` reports for the same ops of a real workload.
std::uint64_t single_checksum(const std::string& name, std::uint64_t ops, WorkloadParams params) {
  params.name = name;
  auto workload = make_workload(params);
  workload->start_shared(params);
  ExecutionPlan plan;
  plan.total_ops = ops;
  const Sample sample = make_executor(Mode::Single)->run(plan, *workload, params);
  workload->stop_shared();
  REQUIRE(sample.ok);
  return sample.checksum;
}

Sample run_mpi(const ExecutionPlan& plan, WorkloadParams params) {
  auto workload = make_workload(params);
  workload->start_shared(params);
  Sample sample = make_executor(Mode::Mpi)->run(plan, *workload, params);
  workload->stop_shared();
  return sample;
}

RankPlacement placed(unsigned rank, std::string host, const std::string& cpus, unsigned usable) {
  RankPlacement p;
  p.rank = rank;
  p.host = std::move(host);
  p.affinity = CpuSet::parse(cpus);
  p.usable = usable;
  return p;
}

}  // namespace

TEST_CASE("MPI: the launcher's family is read from its --version", "[mpi]") {
  CHECK(parse_mpi_flavor("mpirun (Open MPI) 4.1.4\n\nReport bugs to ...") == MpiFlavor::OpenMpi4);
  CHECK(parse_mpi_flavor("mpirun (Open MPI) 5.0.3\n") == MpiFlavor::OpenMpi5);
  CHECK(parse_mpi_flavor("HYDRA build details:\n    Version: 4.1.2\n") == MpiFlavor::Mpich);
  CHECK(parse_mpi_flavor("Intel(R) MPI Library") == MpiFlavor::Unknown);
  CHECK(parse_mpi_flavor("") == MpiFlavor::Unknown);
}

TEST_CASE("MPI: one machine's flags differ between Open MPI 4, 5 and MPICH", "[mpi]") {
  const auto has = [](const std::vector<std::string>& flags, const std::string& flag) {
    return std::find(flags.begin(), flags.end(), flag) != flags.end();
  };
  const auto v4 = mpi_launch_flags(MpiFlavor::OpenMpi4, true);
  CHECK(has(v4, "--oversubscribe"));
  CHECK(has(v4, "self,vader"));
  CHECK(has(v4, "--allow-run-as-root"));
  CHECK_FALSE(has(mpi_launch_flags(MpiFlavor::OpenMpi4, false), "--allow-run-as-root"));
  const auto v5 = mpi_launch_flags(MpiFlavor::OpenMpi5, true);
  CHECK(has(v5, ":OVERSUBSCRIBE"));
  CHECK(has(v5, "self,sm"));
  CHECK_FALSE(has(v5, "self,vader"));
  const auto mpich = mpi_launch_flags(MpiFlavor::Mpich, true);
  CHECK(has(mpich, "fork"));
  CHECK_FALSE(has(mpich, "--allow-run-as-root"));
  CHECK(mpi_launch_flags(MpiFlavor::Unknown, true).empty());
}

TEST_CASE("MPI: rank tasks round-trip; bad ones are usage errors", "[mpi]") {
  RankTask task;
  task.params.name = "net";
  task.params.op_size = 128;
  task.params.io_latency = std::chrono::microseconds(300);
  task.total_ops = 1000;
  task.stride = 7;
  task.deadline_ms = 12345;
  task.parent = 4242;
  task.fault_signal = SIGKILL;
  task.fault_rank = 1;
  task.result_file = "/tmp/x/ranks.bin";
  const RankTask back = parse_rank_task(rank_task_arguments(task));
  CHECK(back.params.name == "net");
  CHECK(back.params.op_size == 128);
  CHECK(back.params.io_latency == std::chrono::microseconds(300));
  CHECK(back.total_ops == 1000);
  CHECK(back.stride == 7);
  CHECK(back.deadline_ms == 12345);
  CHECK(back.parent == 4242);
  CHECK(back.fault_signal == SIGKILL);
  CHECK(back.fault_rank == 1);
  CHECK(back.result_file == "/tmp/x/ranks.bin");
  auto words = rank_task_arguments(task);
  words.resize(words.size() - 2);  // no --result-file
  CHECK_THROWS_AS(parse_rank_task(words), UsageError);
  CHECK_THROWS_AS(parse_rank_task({"--workload"}), UsageError);
}

TEST_CASE("MPI: gathered rank records round-trip and reject damage", "[mpi]") {
  RankRecord a;
  a.rank = 0;
  a.host = "node-a";
  a.startup_seconds = 0.25;
  a.work_seconds = 1.5;
  a.result.ops = 10;
  a.result.checksum = 111;
  RankRecord b = a;
  b.rank = 1;
  b.host = "node-b";
  b.result.checksum = 222;
  const std::string joined = join_rank_records({encode_rank_record(a), encode_rank_record(b)}, 333);
  const DecodedRanks decoded = decode_rank_records(joined);
  REQUIRE(decoded.problem.empty());
  REQUIRE(decoded.records.size() == 2);
  CHECK(decoded.reduced_checksum == 333);
  CHECK(decoded.records[1].host == "node-b");
  CHECK(decoded.records[1].result.checksum == 222);
  CHECK(decoded.records[0].work_seconds == 1.5);
  CHECK_FALSE(decode_rank_records("").problem.empty());
  CHECK_FALSE(decode_rank_records(joined.substr(0, joined.size() - 3)).problem.empty());
  CHECK_FALSE(decode_rank_records(joined + "x").problem.empty());
  std::string flipped = joined;
  flipped[flipped.size() - 12] = static_cast<char>(flipped[flipped.size() - 12] ^ 1);
  CHECK_FALSE(decode_rank_records(flipped).problem.empty());
}

TEST_CASE("MPI: placement warnings name shared CPUs and oversubscribed hosts", "[mpi]") {
  const std::vector<RankPlacement> crowded{placed(0, "a", "0-1", 2), placed(1, "a", "0-1", 2),
                                           placed(2, "a", "0-1", 2), placed(3, "b", "0", 4)};
  const auto warnings = placement_warnings(crowded);
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[0].starts_with("ranks 0,1,2 share CPUs 0-1 on a"));
  CHECK(warnings[1].starts_with("3 ranks × threads = 3 exceed the 2 usable CPUs of a"));

  const std::vector<RankPlacement> bound{placed(0, "a", "0", 2), placed(1, "a", "1", 2)};
  CHECK(placement_warnings(bound).empty());

  std::vector<RankPlacement> threaded = bound;
  for (auto& rank : threaded) rank.threads = 2;
  const auto threads = placement_warnings(threaded);
  REQUIRE(threads.size() == 1);
  CHECK(threads[0].starts_with("2 ranks × threads = 4 exceed the 2 usable CPUs of a"));

  const RankPlacement back = placement_from_json(placement_to_json(crowded[1]));
  CHECK(back.rank == 1);
  CHECK(back.host == "a");
  CHECK(back.affinity->to_string() == "0-1");
  CHECK_THROWS(placement_from_json("{\"rank\": 1}"));
}

TEST_CASE("MPI: real ranks split the ops; the checksum equals single's", "[mpi][real]") {
  if (!can_launch()) {
    SUCCEED("no MPI build or no mpirun: checked by cli.test_mpi");
    return;
  }
  for (const unsigned ranks : {2U, 3U}) {
    WorkloadParams params;
    params.name = "count";
    const Sample sample = run_mpi(mpi_plan(ranks, 40), params);
    INFO(sample.error);
    REQUIRE(sample.ok);
    CHECK(sample.ops == 40);
    CHECK(sample.checksum == single_checksum("count", 40, {}));
    CHECK(sample.worker_hosts.size() == ranks);
    CHECK(sample.startup_seconds > 0);
    CHECK(sample.wall_seconds > 0);
    // Each rank measures its own memory, as a process worker does; the sample sums them.
    REQUIRE(sample.peak_rss_bytes);
    REQUIRE(sample.pss_bytes);
    CHECK(*sample.peak_rss_bytes > ranks * 1'000'000ULL);  // a rank with MPI up is megabytes
    CHECK(*sample.pss_bytes > 0);
  }
}

TEST_CASE("MPI: net is a rank-to-rank ping-pong with the TCP echo's checksum", "[mpi][real]") {
  if (!can_launch()) {
    SUCCEED("no MPI build or no mpirun");
    return;
  }
  WorkloadParams params;
  params.name = "net";
  params.io_latency = std::chrono::microseconds(100);
  const std::uint64_t expected = single_checksum("net", 30, params);
  for (const unsigned ranks : {1U, 2U, 3U}) {
    ExecutionPlan plan = mpi_plan(ranks, 30);
    plan.record_latency = true;
    const Sample sample = run_mpi(plan, params);
    INFO("ranks " << ranks << ": " << sample.error);
    REQUIRE(sample.ok);
    CHECK(sample.ops == 30);
    CHECK(sample.checksum == expected);
    CHECK(sample.latency_seconds.size() == 30);
  }
}

TEST_CASE("MPI: a rank that dies fails the cell, and the run goes on", "[mpi][real]") {
  if (!can_launch()) {
    SUCCEED("no MPI build or no mpirun");
    return;
  }
  ExecutionPlan plan = mpi_plan(3, 3000);
  plan.fault_signal = SIGKILL;
  plan.fault_worker = 1;
  WorkloadParams params;
  params.name = "sleep";
  params.io_latency = std::chrono::milliseconds(2);
  const std::int64_t begin = monotonic_ns();
  const Sample sample = run_mpi(plan, params);
  const double seconds = static_cast<double>(monotonic_ns() - begin) * 1e-9;
  INFO(sample.error);
  CHECK_FALSE(sample.ok);
  CHECK(sample.error.find("rank 1") != std::string::npos);
  CHECK(seconds < 30);  // the ops alone would take 2 s per rank; no hang
}

TEST_CASE("MPI: ranks past their deadline abort the job", "[mpi][real]") {
  if (!can_launch()) {
    SUCCEED("no MPI build or no mpirun");
    return;
  }
  ExecutionPlan plan = mpi_plan(2, 4);
  plan.timeout = std::chrono::seconds(1);
  WorkloadParams params;
  params.name = "sleep";
  params.io_latency = std::chrono::seconds(20);  // 40 s of sleeping per rank
  const std::int64_t begin = monotonic_ns();
  const Sample sample = run_mpi(plan, params);
  const double seconds = static_cast<double>(monotonic_ns() - begin) * 1e-9;
  INFO(sample.error);
  CHECK_FALSE(sample.ok);
  CHECK(seconds < 15);
}
