#include "engine/worker_loop.hpp"

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <exception>
#include <stdexcept>

#include "conc_probe/engine.hpp"
#include "engine/sched_sources.hpp"

namespace conc_probe::engine {
namespace {

double seconds_of(const timeval& tv) noexcept {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

CpuUsage usage_of(int who) noexcept {
  rusage ru{};
  if (::getrusage(who, &ru) != 0) return {};
  return CpuUsage{seconds_of(ru.ru_utime) + seconds_of(ru.ru_stime), ru.ru_nvcsw, ru.ru_nivcsw};
}

CpuUsage with_wait(CpuUsage usage) noexcept {
  try {
    if (const auto stat = read_thread_schedstat())
      usage.wait_seconds = static_cast<double>(stat->wait_ns) * 1e-9;
  } catch (...) {  // an allocation failure: the run delay stays unknown
  }
  return usage;
}

double combine_wait(double a, double b, double sign) noexcept {
  return a < 0 || b < 0 ? -1 : std::max(0.0, a + sign * b);
}

}  // namespace

CpuUsage operator-(const CpuUsage& after, const CpuUsage& before) noexcept {
  return CpuUsage{after.cpu_seconds - before.cpu_seconds, after.voluntary - before.voluntary,
                  after.involuntary - before.involuntary,
                  combine_wait(after.wait_seconds, before.wait_seconds, -1)};
}

CpuUsage operator+(const CpuUsage& a, const CpuUsage& b) noexcept {
  return CpuUsage{a.cpu_seconds + b.cpu_seconds, a.voluntary + b.voluntary,
                  a.involuntary + b.involuntary, combine_wait(a.wait_seconds, b.wait_seconds, 1)};
}

CpuUsage thread_usage() noexcept {
#ifdef RUSAGE_THREAD
  return with_wait(usage_of(RUSAGE_THREAD));
#else
  return with_wait(usage_of(RUSAGE_SELF));
#endif
}

CpuUsage process_usage() noexcept { return with_wait(usage_of(RUSAGE_SELF)); }

CpuUsage children_usage() noexcept { return usage_of(RUSAGE_CHILDREN); }

std::int64_t monotonic_ns() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string describe_exception(std::exception_ptr error) {
  try {
    std::rethrow_exception(std::move(error));
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

void run_ops(WorkerSession& session, OpContext& context, OpRange range, std::uint64_t stride,
             WorkerResult& out) noexcept {
  try {
    for (std::uint64_t index = range.first; index < range.last; ++index) {
      if (stop_requested()) throw std::runtime_error("interrupted");
      const bool timed = stride != 0 && index % stride == 0;
      const std::int64_t begin = timed ? monotonic_ns() : 0;
      out.checksum = combine_checksum(out.checksum, session.run_op(index, context));
      // An op cut short by a stop request returns early with a meaningless checksum.
      if (stop_requested()) throw std::runtime_error("interrupted");
      if (timed) out.latencies.push_back(static_cast<double>(monotonic_ns() - begin) * 1e-9);
      ++out.ops;
    }
  } catch (...) {
    out.ok = false;
    out.error = describe_exception(std::current_exception());
  }
}

/// The workers' peak RSS and PSS summed, when every one of them measured its own.
void combine_memory(std::span<const WorkerResult> results, Sample& sample) {
  std::uint64_t peak = 0, pss = 0;
  for (const auto& result : results) {
    if (result.peak_rss_bytes == 0 || result.pss_bytes == 0) return;
    peak += result.peak_rss_bytes;
    pss += result.pss_bytes;
  }
  if (results.empty()) return;
  sample.peak_rss_bytes = peak;
  sample.pss_bytes = pss;
}

/// The workers' data movement summed, when the cell moves data.
void combine_data(std::span<const WorkerResult> results, Sample& sample) {
  for (const auto& result : results) {
    if (!result.data.active) continue;
    sample.bytes_copied = sample.bytes_copied.value_or(0) + result.data.bytes_copied;
    sample.move_seconds = sample.move_seconds.value_or(0) + result.data.move_seconds;
    if (result.data.minor_faults >= 0)
      sample.minor_faults = sample.minor_faults.value_or(0) + result.data.minor_faults;
  }
}

Sample combine_results(std::span<const WorkerResult> results) {
  Sample sample;
  combine_memory(results, sample);
  combine_data(results, sample);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& result = results[i];
    sample.ops += result.ops;
    sample.checksum = combine_checksum(sample.checksum, result.checksum);
    sample.cpu_seconds += result.usage.cpu_seconds;
    if (i == 0 && result.usage.wait_seconds >= 0) sample.wait_seconds = 0;
    if (sample.wait_seconds && result.usage.wait_seconds >= 0) {
      *sample.wait_seconds += result.usage.wait_seconds;
    } else {
      sample.wait_seconds.reset();
    }
    sample.voluntary_switches += result.usage.voluntary;
    sample.involuntary_switches += result.usage.involuntary;
    sample.latency_seconds.insert(sample.latency_seconds.end(), result.latencies.begin(),
                                  result.latencies.end());
    if (!result.ok && sample.ok) {
      sample.ok = false;
      // "worker 1 killed by SIGKILL", "worker 1 exited with ...", "worker 1: <op error>"
      const bool phrase =
          result.error.starts_with("killed by") || result.error.starts_with("exited");
      sample.error = "worker " + std::to_string(i) + (phrase ? " " : ": ") + result.error;
    }
  }
  return sample;
}

}  // namespace conc_probe::engine
