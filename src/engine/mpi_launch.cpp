#include "engine/mpi_launch.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include "engine/posix_util.hpp"
#include "engine/worker_loop.hpp"

#ifndef CONC_PROBE_HAVE_MPI
#define CONC_PROBE_HAVE_MPI 0
#endif

namespace conc_probe::engine {
namespace {

constexpr std::int64_t kVersionTimeoutNs = 5'000'000'000;

bool is_executable(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

std::optional<std::string> search_path(const std::string& name) {
  // getenv on the main thread before any worker starts: nothing writes the environment.
  const char* path = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe)
  std::string_view rest = path != nullptr ? path : "/usr/bin:/bin";
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (is_executable(candidate)) return candidate;
  }
  return std::nullopt;
}

/// Reads the child's output until EOF or the deadline; kills and reaps it either way.
std::string collect_output(pid_t pid, Fd& out) {
  std::string text;
  const std::int64_t deadline = monotonic_ns() + kVersionTimeoutNs;
  while (monotonic_ns() < deadline && text.size() < 65536) {
    pollfd fd{out.get(), POLLIN, 0};
    if (::poll(&fd, 1, poll_slice_ms(deadline, 50)) <= 0) continue;
    char chunk[1024];
    const ssize_t got = ::read(out.get(), chunk, sizeof chunk);
    if (got <= 0) break;
    text.append(chunk, static_cast<std::size_t>(got));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return text;
}

}  // namespace

std::string_view to_string(MpiFlavor flavor) noexcept {
  switch (flavor) {
    case MpiFlavor::OpenMpi4:
      return "Open MPI 4";
    case MpiFlavor::OpenMpi5:
      return "Open MPI 5";
    case MpiFlavor::Mpich:
      return "MPICH";
    case MpiFlavor::Unknown:
      break;
  }
  return "unknown";
}

bool mpi_built_in() noexcept { return CONC_PROBE_HAVE_MPI != 0; }

bool under_mpi_launcher() noexcept {
  // Read on the main thread at start-up, before any thread exists.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return true;  // NOLINT(concurrency-mt-unsafe)
  }
  return false;
}

std::optional<std::string> find_mpirun() {
  // Read on the main thread while validating the options.
  if (const char* chosen = std::getenv("CONC_PROBE_MPIRUN")) {  // NOLINT(concurrency-mt-unsafe)
    if (*chosen == '\0' || !is_executable(chosen)) return std::nullopt;
    return std::string(chosen);
  }
  for (const char* name : {"mpirun", "mpiexec"}) {
    if (auto found = search_path(name)) return found;
  }
  return std::nullopt;
}

MpiFlavor parse_mpi_flavor(std::string_view text) noexcept {
  const auto open_mpi = text.find("Open MPI");
  if (open_mpi != std::string_view::npos) {
    const auto digit = text.find_first_of("0123456789", open_mpi);
    if (digit == std::string_view::npos) return MpiFlavor::Unknown;
    if (text[digit] == '4' || text[digit] == '3') return MpiFlavor::OpenMpi4;
    return MpiFlavor::OpenMpi5;
  }
  if (text.find("HYDRA") != std::string_view::npos || text.find("MPICH") != std::string_view::npos)
    return MpiFlavor::Mpich;
  return MpiFlavor::Unknown;
}

MpiFlavor detect_mpi_flavor(const std::string& mpirun) {
  // Asked once per launcher and run: every repetition of every mpi cell needs it.
  static std::string known_path;
  static MpiFlavor known = MpiFlavor::Unknown;
  if (!known_path.empty() && known_path == mpirun) return known;
  known = ask_mpi_flavor(mpirun);
  known_path = mpirun;
  return known;
}

MpiFlavor ask_mpi_flavor(const std::string& mpirun) {
  Pipe out = make_pipe();
  std::string binary = mpirun;
  std::string flag = "--version";
  char* argv[] = {binary.data(), flag.data(), nullptr};
  const pid_t pid = ::fork();
  if (pid < 0) return MpiFlavor::Unknown;
  if (pid == 0) {
    ::dup2(out.write.get(), STDOUT_FILENO);
    ::dup2(out.write.get(), STDERR_FILENO);
    ::execv(argv[0], argv);
    ::_exit(127);
  }
  out.write.reset();
  return parse_mpi_flavor(collect_output(pid, out.read));
}

std::vector<std::string> mpi_launch_flags(MpiFlavor flavor, bool as_root, bool bind_cores) {
  const std::string bind = bind_cores ? "core" : "none";
  std::vector<std::string> flags;
  switch (flavor) {
    case MpiFlavor::OpenMpi4:
      flags = {"--oversubscribe", "--bind-to", bind, "--mca", "btl", "self,vader"};
      break;
    case MpiFlavor::OpenMpi5:
      flags = {"--map-by", ":OVERSUBSCRIBE", "--bind-to", bind, "--mca", "btl", "self,sm"};
      break;
    case MpiFlavor::Mpich:
      return {"-launcher", "fork", "-bind-to", bind};
    case MpiFlavor::Unknown:
      return {};
  }
  if (as_root) flags.emplace_back("--allow-run-as-root");
  return flags;
}

}  // namespace conc_probe::engine

namespace conc_probe::engine {

std::optional<unsigned> launcher_world_size() noexcept {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    // Read on the main thread while validating the options.
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) continue;
    char* end = nullptr;
    const unsigned long size = std::strtoul(value, &end, 10);
    if (end != value && *end == '\0' && size > 0 && size < 1'000'000)
      return static_cast<unsigned>(size);
  }
  return std::nullopt;
}

}  // namespace conc_probe::engine
