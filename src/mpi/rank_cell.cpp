#include "mpi/rank_cell.hpp"

#include <mpi.h>
#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "conc_probe/stop.hpp"
#include "engine/memory_usage.hpp"
#include "engine/worker_loop.hpp"
#include "workloads/io_util.hpp"
#include "workloads/kernels.hpp"
#include "workloads/workload_base.hpp"

namespace conc_probe::mpi {
namespace {

constexpr int kTagData = 1;
constexpr int kTagDone = 2;
constexpr std::chrono::nanoseconds kShortestSleep = std::chrono::microseconds(1);

int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int world_size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

/// How long a wait spins (MPI_Test back to back, as a blocking MPI call would) before it
/// polls with short sleeps, so that a rank waiting on a partner's IO latency leaves the CPU
/// to others: 50 µs when the partner may be sleeping, up to 1 ms when its message is due
/// at once (the echo waiting for the client's next op, the client of an echo that does not
/// sleep). The long spin on one side of a pair is what keeps the pair out of step-by-step
/// sleeping: a rank that sleeps between tests answers late, and a partner that has given
/// up spinning by then answers late too, and so on, every round trip costing two sleeps.
constexpr std::int64_t kSpinNs = 50'000;
constexpr std::int64_t kDueSpinNs = 1'000'000;
/// MPI_Test calls between two clock reads and stop checks while spinning (~1 µs of them).
constexpr unsigned kTestsPerCheck = 16;

/// While it lives, this thread's sleeps end within a microsecond of their time instead of
/// after the default 50 µs timer slack, so that a waiting rank's 20 µs polls stay shorter
/// than its partner's spin. Only the waits' polls get it: the workload's own sleeps (the
/// echo's IO latency) keep the slack they have in every other mode.
class FineTimerSlack {
 public:
  FineTimerSlack() {
#ifdef __linux__
    const int old = ::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    if (old > 0 && ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0) == 0) old_ = old;
#endif
  }
  ~FineTimerSlack() {
#ifdef __linux__
    if (old_ > 0) ::prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(old_), 0, 0, 0);
#endif
  }
  FineTimerSlack(const FineTimerSlack&) = delete;
  FineTimerSlack& operator=(const FineTimerSlack&) = delete;

 private:
  int old_ = 0;
};

/// Waits for `request`: spins for `spin_ns`, then sleeps 20 µs between tests; sees a stop.
MPI_Status wait_for(MPI_Request& request, std::int64_t spin_ns) {
  MPI_Status status{};
  int done = 0;
  MPI_Test(&request, &done, &status);
  if (done != 0) return status;
  const std::int64_t spin_until = engine::monotonic_ns() + spin_ns;
  bool spinning = true;
  std::optional<FineTimerSlack> slack;
  while (true) {
    for (unsigned i = 0; i < (spinning ? kTestsPerCheck : 1U); ++i) {
      MPI_Test(&request, &done, &status);
      if (done != 0) return status;
    }
    if (stop_requested()) {
      MPI_Cancel(&request);
      MPI_Request_free(&request);
      throw std::runtime_error("interrupted");
    }
    if (spinning) {
      spinning = engine::monotonic_ns() < spin_until;
    } else {
      if (!slack) slack.emplace();
      ::usleep(20);
    }
  }
}

/// `net` over MPI: op i sends the bytes the TCP client would send for op i to the partner
/// rank, which echoes them after the workload's IO latency (as the echo server does); the
/// checksum is the TCP client's, so it equals the other modes'. Partner = self when the
/// rank has none (an odd rank count, or one rank). Per round trip it does what a minimal
/// ping-pong does (a receive posted, a send, a wait) plus filling the 64 bytes; their hash
/// is taken while the reply is on its way, and the reply only compared with them.
class PingSession final : public WorkerSession {
 public:
  PingSession(int rank, int partner, std::uint64_t bytes, std::chrono::nanoseconds latency)
      : rank_(rank), partner_(partner), latency_(latency), payload_(bytes), reply_(bytes) {}

  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    const std::uint64_t seed = workloads::op_seed(index, workloads::kSaltNet);
    workloads::fill_deterministic(payload_, seed);
    const int size = static_cast<int>(payload_.size());
    if (partner_ == rank_) {
      if (latency_ >= kShortestSleep) workloads::blocking_sleep(latency_, context);
      MPI_Sendrecv(payload_.data(), size, MPI_BYTE, partner_, kTagData, reply_.data(), size,
                   MPI_BYTE, partner_, kTagData, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      return workloads::mix64(workloads::fnv1a(reply_) ^ seed);
    }
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Irecv(reply_.data(), size, MPI_BYTE, partner_, kTagData, MPI_COMM_WORLD, &request);
    MPI_Send(payload_.data(), size, MPI_BYTE, partner_, kTagData, MPI_COMM_WORLD);
    const std::uint64_t sent = workloads::fnv1a(payload_);  // while the reply travels
    wait_for(request, latency_ < kShortestSleep ? kDueSpinNs : kSpinNs);
    const bool echoed = std::equal(payload_.begin(), payload_.end(), reply_.begin());
    return workloads::mix64((echoed ? sent : workloads::fnv1a(reply_)) ^ seed);
  }

 private:
  int rank_;
  int partner_;
  std::chrono::nanoseconds latency_;
  std::vector<std::byte> payload_;
  std::vector<std::byte> reply_;
};

/// The echo side of a `net` pair: answers until the client says it is done (an empty
/// message). The receive for the next message is posted before this one is answered, as
/// a minimal ping-pong's blocking receive is waiting before the message comes.
void serve_echo(int client, std::uint64_t bytes, std::chrono::nanoseconds latency) {
  std::array<std::vector<std::byte>, 2> buffers{std::vector<std::byte>(bytes),
                                                std::vector<std::byte>(bytes)};
  const int size = static_cast<int>(bytes);
  OpContext context;
  std::size_t current = 0;
  MPI_Request request = MPI_REQUEST_NULL;
  MPI_Irecv(buffers[current].data(), size, MPI_BYTE, client, MPI_ANY_TAG, MPI_COMM_WORLD, &request);
  while (true) {
    const MPI_Status status = wait_for(request, kDueSpinNs);
    if (status.MPI_TAG == kTagDone) return;
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    const std::size_t answer = current;
    current ^= 1U;
    MPI_Irecv(buffers[current].data(), size, MPI_BYTE, client, MPI_ANY_TAG, MPI_COMM_WORLD,
              &request);
    // Below a microsecond a sleep would add only the timer's slack (tens of µs): echo at once.
    if (latency >= kShortestSleep) workloads::blocking_sleep(latency, context);
    MPI_Send(buffers[answer].data(), count, MPI_BYTE, client, kTagData, MPI_COMM_WORLD);
  }
}

/// What this rank does in the cell: its session (none for a net echo rank) and ops.
struct RankRole {
  std::unique_ptr<WorkerSession> session;
  engine::OpRange range;
  int echo_for = -1;  ///< net: the client this rank echoes for
  int partner = -1;   ///< net: the rank this client pings (tell it "done" at the end)
};

RankRole net_role(const engine::RankTask& task, int rank, int size) {
  RankRole role;
  if (rank % 2 == 1) {
    role.echo_for = rank - 1;
    return role;
  }
  const auto clients = static_cast<unsigned>((size + 1) / 2);
  role.partner = rank + 1 < size ? rank + 1 : rank;
  role.range = engine::worker_range(task.total_ops, clients, static_cast<unsigned>(rank / 2));
  const std::uint64_t bytes =
      workloads::or_default(task.params.op_size, workloads::kDefaultNetBytes);
  role.session = std::make_unique<PingSession>(rank, role.partner, bytes, task.params.io_latency);
  return role;
}

RankRole role_of(const engine::RankTask& task, int rank, int size, engine::WorkerResult& result) {
  if (task.params.name == "net") return net_role(task, rank, size);
  RankRole role;
  role.range = engine::worker_range(task.total_ops, static_cast<unsigned>(size),
                                    static_cast<unsigned>(rank));
  try {
    const auto workload = make_workload(task.params);
    role.session = workload->open_worker(task.params, static_cast<unsigned>(rank));
  } catch (...) {
    result.ok = false;
    result.error = engine::describe_exception(std::current_exception());
  }
  return role;
}

}  // namespace

std::vector<std::string> gather_to_root(const std::string& mine) {
  const int size = world_size();
  const int length = static_cast<int>(mine.size());
  std::vector<int> lengths(static_cast<std::size_t>(size));
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(static_cast<std::size_t>(size));
  int total = 0;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    offsets[i] = total;
    total += lengths[i];
  }
  std::string all(world_rank() == 0 ? static_cast<std::size_t>(total) : 0, '\0');
  MPI_Gatherv(mine.data(), length, MPI_BYTE, all.data(), lengths.data(), offsets.data(), MPI_BYTE,
              0, MPI_COMM_WORLD);
  std::vector<std::string> records;
  if (world_rank() != 0) return records;
  for (std::size_t i = 0; i < lengths.size(); ++i)
    records.push_back(
        all.substr(static_cast<std::size_t>(offsets[i]), static_cast<std::size_t>(lengths[i])));
  return records;
}

std::string host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "unknown";
  return name.data();
}

std::string run_rank_cell(const engine::RankTask& task, std::int64_t init_ns) {
  const int rank = world_rank();
  const int size = world_size();
  engine::RankRecord record;
  record.rank = static_cast<unsigned>(rank);
  record.host = host_name();
  MPI_Barrier(MPI_COMM_WORLD);
  record.startup_seconds = static_cast<double>(engine::monotonic_ns() - init_ns) * 1e-9;
  RankRole role = role_of(task, rank, size, record.result);
  MPI_Barrier(MPI_COMM_WORLD);  // the start barrier: every rank begins together
  const std::int64_t start = engine::monotonic_ns();
  const engine::CpuUsage before = engine::process_usage();
  if (task.fault_signal != 0 && task.fault_rank == static_cast<unsigned>(rank))
    ::raise(task.fault_signal);
  if (role.echo_for >= 0) {
    try {
      serve_echo(role.echo_for,
                 workloads::or_default(task.params.op_size, workloads::kDefaultNetBytes),
                 task.params.io_latency);
    } catch (...) {
      record.result.ok = false;
      record.result.error = engine::describe_exception(std::current_exception());
    }
  }
  if (role.session) {
    OpContext context;
    engine::run_ops(*role.session, context, role.range, task.stride, record.result);
  }
  if (role.partner >= 0 && role.partner != rank)
    MPI_Send(nullptr, 0, MPI_BYTE, role.partner, kTagDone, MPI_COMM_WORLD);
  record.result.end_ns = engine::monotonic_ns();
  record.result.usage = engine::process_usage() - before;
  record.work_seconds = static_cast<double>(record.result.end_ns - start) * 1e-9;
  // What this rank costs in memory, as a process worker reports its own: the cell sums them.
  const engine::MemoryUsage memory = engine::own_memory();
  record.result.peak_rss_bytes = memory.peak_rss_bytes;
  record.result.pss_bytes = memory.pss_bytes;
  // The checksum reduced across ranks is what the cell reports; the gathered records keep
  // each rank's own for the JSON and for naming a failed rank.
  std::uint64_t sum = 0;
  MPI_Reduce(&record.result.checksum, &sum, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
  std::vector<std::string> records = gather_to_root(engine::encode_rank_record(record));
  if (rank != 0) return {};
  return engine::join_rank_records(records, sum);
}

Watchdog::Watchdog(std::int64_t deadline_ns, int parent)
    : thread_([this, deadline_ns, parent] { watch(deadline_ns, parent); }) {}

Watchdog::~Watchdog() {
  {
    const std::lock_guard lock(mutex_);
    done_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Watchdog::watch(std::int64_t deadline_ns, int parent) {
  std::unique_lock lock(mutex_);
  while (!done_) {
    if (engine::monotonic_ns() >= deadline_ns || (parent > 0 && ::kill(parent, 0) != 0)) {
      std::fprintf(stderr, "conc-probe: error: rank %d: %s, aborting the job\n", world_rank(),
                   parent > 0 && ::kill(parent, 0) != 0 ? "the bench is gone" : "deadline passed");
      int level = MPI_THREAD_SINGLE;
      MPI_Query_thread(&level);
      // MPI_Abort from this thread needs MPI_THREAD_MULTIPLE; without it, dying is what
      // makes the launcher take the job down.
      if (level == MPI_THREAD_MULTIPLE) MPI_Abort(MPI_COMM_WORLD, 3);
      ::kill(::getpid(), SIGKILL);
    }
    wake_.wait_for(lock, std::chrono::milliseconds(50));
  }
}

}  // namespace conc_probe::mpi
