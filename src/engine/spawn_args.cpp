#include <map>
#include <string>

#include "conc_probe/error.hpp"
#include "conc_probe/text.hpp"
#include "engine/process_worker.hpp"

namespace conc_probe::engine {
namespace {

using Fields = std::map<std::string, std::string>;

Fields read_fields(const std::vector<std::string>& argv) {
  Fields fields;
  for (std::size_t i = 0; i < argv.size(); i += 2) {
    if (!argv[i].starts_with("--") || i + 1 >= argv.size()) {
      throw UsageError("__worker: malformed argument '" + argv[i] + "'");
    }
    fields[argv[i].substr(2)] = argv[i + 1];
  }
  return fields;
}

const std::string& field(const Fields& fields, const std::string& key) {
  const auto it = fields.find(key);
  if (it == fields.end()) throw UsageError("__worker: missing --" + key);
  return it->second;
}

std::uint64_t number(const Fields& fields, const std::string& key) {
  const auto value = text::parse_u64(field(fields, key));
  if (!value) throw UsageError("__worker: --" + key + " is not a number");
  return *value;
}

int descriptor(const Fields& fields, const std::string& key) {
  const auto value = number(fields, key);
  if (value > 1'000'000) throw UsageError("__worker: --" + key + " out of range");
  return static_cast<int>(value);
}

/// A descriptor that may be absent ("none").
int optional_descriptor(const Fields& fields, const std::string& key) {
  return field(fields, key) == "none" ? -1 : descriptor(fields, key);
}

std::string descriptor_text(int fd) { return fd < 0 ? "none" : std::to_string(fd); }

}  // namespace

std::vector<std::string> spawn_arguments(const WorkerProcessArgs& args,
                                         const WorkloadParams& params) {
  const auto str = [](auto value) { return std::to_string(value); };
  return {"--workload",      params.name,
          "--op-size",       str(params.op_size),
          "--io-latency-ns", str(params.io_latency.count()),
          "--compute-size",  str(params.compute_size),
          "--overhead-size", str(params.overhead_size),
          "--temp-dir",      params.temp_dir,
          "--server-port",   str(params.server_port),
          "--db-url",        params.db_url,
          "--db-table",      params.db_table,
          "--worker",        str(args.worker_index),
          "--first",         str(args.range.first),
          "--last",          str(args.range.last),
          "--stride",        str(args.stride),
          "--ready-fd",      descriptor_text(args.ready_fd),
          "--start-fd",      descriptor_text(args.start_fd),
          "--result-fd",     descriptor_text(args.result_fd),
          "--parent",        str(args.parent),
          "--fault",         str(static_cast<int>(args.fault)),
          "--total-ops",     str(args.total_ops),
          "--input-size",    str(args.input_size),
          "--result-size",   str(args.result_size),
          "--input-fd",      descriptor_text(args.input_fd),
          "--data-fd",       descriptor_text(args.data_fd)};
}

void parse_spawn_arguments(const std::vector<std::string>& argv, WorkerProcessArgs& args,
                           WorkloadParams& params) {
  const Fields fields = read_fields(argv);
  params.name = field(fields, "workload");
  params.op_size = number(fields, "op-size");
  params.io_latency = std::chrono::nanoseconds(number(fields, "io-latency-ns"));
  params.compute_size = number(fields, "compute-size");
  params.overhead_size = number(fields, "overhead-size");
  params.temp_dir = field(fields, "temp-dir");
  params.server_port = static_cast<std::uint16_t>(number(fields, "server-port"));
  params.db_url = field(fields, "db-url");
  params.db_table = field(fields, "db-table");
  args.worker_index = static_cast<unsigned>(number(fields, "worker"));
  args.range = OpRange{number(fields, "first"), number(fields, "last")};
  args.stride = number(fields, "stride");
  args.ready_fd = optional_descriptor(fields, "ready-fd");
  args.start_fd = optional_descriptor(fields, "start-fd");
  args.result_fd = optional_descriptor(fields, "result-fd");
  args.parent = static_cast<pid_t>(number(fields, "parent"));
  const auto fault = number(fields, "fault");
  if (fault > static_cast<std::uint64_t>(MessageFault::Nothing))
    throw UsageError("__worker: bad --fault");
  args.fault = static_cast<MessageFault>(fault);
  args.total_ops = number(fields, "total-ops");
  args.input_size = number(fields, "input-size");
  args.result_size = number(fields, "result-size");
  args.input_fd = optional_descriptor(fields, "input-fd");
  args.data_fd = optional_descriptor(fields, "data-fd");
}

}  // namespace conc_probe::engine
