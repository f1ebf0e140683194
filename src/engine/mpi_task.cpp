#include "engine/mpi_task.hpp"

#include <cstring>
#include <map>

#include "conc_probe/error.hpp"
#include "conc_probe/text.hpp"
#include "engine/process_worker.hpp"
#include "engine/result_frame.hpp"

namespace conc_probe::engine {
namespace {

constexpr std::uint32_t kMaxRanks = 4096;
constexpr std::size_t kMaxHostName = 256;

std::map<std::string, std::string> extra_fields(const std::vector<std::string>& argv) {
  std::map<std::string, std::string> fields;
  for (std::size_t i = 0; i + 1 < argv.size(); i += 2) {
    if (argv[i].starts_with("--")) fields[argv[i].substr(2)] = argv[i + 1];
  }
  return fields;
}

std::uint64_t extra_number(const std::map<std::string, std::string>& fields,
                           const std::string& key) {
  const auto it = fields.find(key);
  if (it == fields.end()) throw UsageError("__mpi-worker: missing --" + key);
  const auto value = text::parse_u64(it->second);
  if (!value) throw UsageError("__mpi-worker: --" + key + " is not a number");
  return *value;
}

template <typename T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

/// Reads values front to back; a read past the end empties the view and sets failed.
template <typename T>
T take(std::string_view& in, bool& failed) noexcept {
  T value{};
  if (failed || in.size() < sizeof(T)) {
    failed = true;
    return value;
  }
  std::memcpy(&value, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return value;
}

std::string_view take_bytes(std::string_view& in, std::size_t count, bool& failed) noexcept {
  if (failed || in.size() < count) {
    failed = true;
    return {};
  }
  const std::string_view bytes = in.substr(0, count);
  in.remove_prefix(count);
  return bytes;
}

std::optional<RankRecord> decode_record(std::string_view in, std::string& problem) {
  bool failed = false;
  RankRecord record;
  record.rank = take<std::uint32_t>(in, failed);
  const auto host_size = take<std::uint32_t>(in, failed);
  if (host_size > kMaxHostName) failed = true;
  record.host = std::string(take_bytes(in, host_size, failed));
  record.startup_seconds = take<double>(in, failed);
  record.work_seconds = take<double>(in, failed);
  if (failed) {
    problem = "short rank record";
    return std::nullopt;
  }
  DecodedFrame frame = decode_result_frame(in);
  if (!frame.result) {
    problem = "rank " + std::to_string(record.rank) + ": " + frame.problem;
    return std::nullopt;
  }
  record.result = std::move(*frame.result);
  return record;
}

}  // namespace

std::vector<std::string> rank_task_arguments(const RankTask& task) {
  WorkerProcessArgs worker;
  worker.range = OpRange{0, task.total_ops};
  worker.stride = task.stride;
  worker.parent = task.parent;
  worker.ready_fd = worker.start_fd = worker.result_fd = 0;  // ranks use none of them
  std::vector<std::string> words = spawn_arguments(worker, task.params);
  for (const auto& [key, value] :
       {std::pair<std::string, std::string>{"--deadline-ms", std::to_string(task.deadline_ms)},
        {"--fault-signal", std::to_string(task.fault_signal)},
        {"--fault-rank", std::to_string(task.fault_rank)},
        {"--result-file", task.result_file}}) {
    words.push_back(key);
    words.push_back(value);
  }
  return words;
}

RankTask parse_rank_task(const std::vector<std::string>& argv) {
  RankTask task;
  WorkerProcessArgs worker;
  parse_spawn_arguments(argv, worker, task.params);
  task.total_ops = worker.range.last;
  task.stride = worker.stride;
  task.parent = worker.parent;
  const auto fields = extra_fields(argv);
  task.deadline_ms = static_cast<std::int64_t>(extra_number(fields, "deadline-ms"));
  const auto signal = extra_number(fields, "fault-signal");
  if (signal > 64) throw UsageError("__mpi-worker: bad --fault-signal");
  task.fault_signal = static_cast<int>(signal);
  task.fault_rank = static_cast<unsigned>(extra_number(fields, "fault-rank"));
  const auto file = fields.find("result-file");
  if (file == fields.end()) throw UsageError("__mpi-worker: missing --result-file");
  task.result_file = file->second;
  return task;
}

std::string encode_rank_record(const RankRecord& record) {
  std::string out;
  put<std::uint32_t>(out, record.rank);
  const std::string host = record.host.substr(0, kMaxHostName);
  put(out, static_cast<std::uint32_t>(host.size()));
  out += host;
  put(out, record.startup_seconds);
  put(out, record.work_seconds);
  out += encode_result_frame(record.result);
  return out;
}

std::string join_rank_records(const std::vector<std::string>& encoded,
                              std::uint64_t reduced_checksum) {
  std::string out;
  put(out, static_cast<std::uint32_t>(encoded.size()));
  put(out, reduced_checksum);
  for (const auto& record : encoded) {
    put(out, static_cast<std::uint32_t>(record.size()));
    out += record;
  }
  return out;
}

DecodedRanks decode_rank_records(std::string_view in) {
  DecodedRanks out;
  if (in.empty()) return {{}, 0, "no result from rank 0"};
  bool failed = false;
  const auto count = take<std::uint32_t>(in, failed);
  out.reduced_checksum = take<std::uint64_t>(in, failed);
  if (failed || count == 0 || count > kMaxRanks) return {{}, 0, "malformed rank results"};
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto size = take<std::uint32_t>(in, failed);
    const std::string_view bytes = take_bytes(in, size, failed);
    if (failed) return {{}, 0, "short rank results"};
    auto record = decode_record(bytes, out.problem);
    if (!record) return {{}, 0, out.problem};
    out.records.push_back(std::move(*record));
  }
  if (!in.empty()) return {{}, 0, "trailing bytes after the rank results"};
  return out;
}

}  // namespace conc_probe::engine
