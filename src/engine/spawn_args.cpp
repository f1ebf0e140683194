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

}  // namespace

std::vector<std::string> spawn_arguments(const WorkerProcessArgs& args,
                                         const WorkloadParams& params) {
  const auto str = [](auto value) { return std::to_string(value); };
  return {"--workload",      params.name,
          "--op-size",       str(params.op_size),
          "--io-latency-ns", str(params.io_latency.count()),
          "--compute-size",  str(params.compute_size),
          "--temp-dir",      params.temp_dir,
          "--server-port",   str(params.server_port),
          "--db-url",        params.db_url,
          "--db-table",      params.db_table,
          "--worker",        str(args.worker_index),
          "--first",         str(args.range.first),
          "--last",          str(args.range.last),
          "--stride",        str(args.stride),
          "--ready-fd",      str(args.ready_fd),
          "--start-fd",      str(args.start_fd),
          "--result-fd",     str(args.result_fd),
          "--parent",        str(args.parent),
          "--fault",         str(static_cast<int>(args.fault))};
}

void parse_spawn_arguments(const std::vector<std::string>& argv, WorkerProcessArgs& args,
                           WorkloadParams& params) {
  const Fields fields = read_fields(argv);
  params.name = field(fields, "workload");
  params.op_size = number(fields, "op-size");
  params.io_latency = std::chrono::nanoseconds(number(fields, "io-latency-ns"));
  params.compute_size = number(fields, "compute-size");
  params.temp_dir = field(fields, "temp-dir");
  params.server_port = static_cast<std::uint16_t>(number(fields, "server-port"));
  params.db_url = field(fields, "db-url");
  params.db_table = field(fields, "db-table");
  args.worker_index = static_cast<unsigned>(number(fields, "worker"));
  args.range = OpRange{number(fields, "first"), number(fields, "last")};
  args.stride = number(fields, "stride");
  args.ready_fd = descriptor(fields, "ready-fd");
  args.start_fd = descriptor(fields, "start-fd");
  args.result_fd = descriptor(fields, "result-fd");
  args.parent = static_cast<pid_t>(number(fields, "parent"));
  const auto fault = number(fields, "fault");
  if (fault > static_cast<std::uint64_t>(MessageFault::Nothing))
    throw UsageError("__worker: bad --fault");
  args.fault = static_cast<MessageFault>(fault);
}

}  // namespace conc_probe::engine
