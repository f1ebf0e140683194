// `mpirun -np N conc-probe bench …`: the bench runs on rank 0; the other ranks wait for
// its mpi cells and run their share of each.
#include <mpi.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "conc_probe/error.hpp"
#include "conc_probe/mpi.hpp"
#include "mpi/rank_cell.hpp"

namespace conc_probe::mpi {
namespace {

/// Broadcasts a task ("" = the bench is over) from rank 0; the arguments joined by NULs.
void broadcast(const std::string& text) {
  auto size = static_cast<std::uint64_t>(text.size());
  // Non-blocking like the waiting ranks' call: blocking and non-blocking collectives do
  // not match each other.
  MPI_Request request = MPI_REQUEST_NULL;
  MPI_Ibcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD, &request);
  MPI_Wait(&request, MPI_STATUS_IGNORE);
  std::string copy = text;
  if (size > 0) MPI_Bcast(copy.data(), static_cast<int>(size), MPI_BYTE, 0, MPI_COMM_WORLD);
}

/// The next task on a waiting rank. The size arrives through a non-blocking broadcast
/// polled every millisecond, so a waiting rank does not spin on a CPU the bench's other
/// cells are measuring.
std::string receive() {
  std::uint64_t size = 0;
  MPI_Request request = MPI_REQUEST_NULL;
  MPI_Ibcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD, &request);
  int done = 0;
  while (MPI_Test(&request, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && done == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::string text(size, '\0');
  if (size > 0) MPI_Bcast(text.data(), static_cast<int>(size), MPI_BYTE, 0, MPI_COMM_WORLD);
  return text;
}

std::string encode(const engine::RankTask& task) {
  std::string text;
  for (const auto& word : engine::rank_task_arguments(task)) text += word + '\0';
  return text;
}

engine::RankTask decode(const std::string& text) {
  std::vector<std::string> words;
  std::size_t start = 0;
  for (std::size_t end = text.find('\0'); end != std::string::npos; end = text.find('\0', start)) {
    words.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return engine::parse_rank_task(words);
}

std::string run_here(const engine::RankTask& task, std::int64_t begin_ns) {
  const Watchdog watchdog(begin_ns + task.deadline_ms * 1'000'000, 0);
  return run_rank_cell(task, begin_ns);
}

void serve() {
  while (true) {
    const std::string text = receive();
    if (text.empty()) return;
    run_here(decode(text), engine::monotonic_ns());
  }
}

}  // namespace

int run_bench_as_ranks(const std::function<int(unsigned ranks)>& body) {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (rank != 0) {
    serve();
    MPI_Finalize();
    return 0;
  }
  engine::set_in_process_ranks([](const engine::RankTask& task) {
    const std::int64_t begin = engine::monotonic_ns();
    broadcast(encode(task));
    return run_here(task, begin);
  });
  int code = 0;
  try {
    code = body(static_cast<unsigned>(size));
  } catch (...) {
    engine::set_in_process_ranks({});
    broadcast({});
    MPI_Finalize();
    throw;
  }
  engine::set_in_process_ranks({});
  broadcast({});
  MPI_Finalize();
  return code;
}

}  // namespace conc_probe::mpi
