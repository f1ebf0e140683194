// `conc-probe bench`: options as typed → one validated BenchConfig → run_bench → reporters.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/bench_mpi.hpp"
#include "cli/cli_spec.hpp"
#include "cli/commands.hpp"
#include "cli/progress_display.hpp"
#include "cli/visual_output.hpp"
#include "conc_probe/compare.hpp"
#include "conc_probe/engine.hpp"
#include "conc_probe/error.hpp"
#include "conc_probe/mpi.hpp"
#include "conc_probe/platform.hpp"
#include "conc_probe/reporter.hpp"
#include "conc_probe/text.hpp"
#include "conc_probe/units.hpp"
#include "conc_probe/workload.hpp"
#include "engine/bench_parts.hpp"

namespace conc_probe::cli {
namespace {

/// The options exactly as typed; validated once by make_config.
struct BenchOptions {
  std::string modes = "single,threads,gil,process";
  std::string workloads = "count,sleep";
  std::string workers = "1,auto";
  std::string ranks;  ///< mpi cells: rank counts (empty: the worker counts)
  std::string duration = "200ms";
  std::string repetitions;  ///< fixed count; empty: adaptive between min and max
  std::string min_repetitions = "6";
  std::string max_repetitions = "30";
  std::string precision = "2%";
  std::string max_time = "10s";
  std::string warmup = "1";
  std::string switch_intervals = "5ms";
  std::string gil_policy;      ///< empty: not given (new, or --python-version's)
  std::string check_interval;  ///< empty: not given (100, or --python-version's)
  std::string python_version;  ///< gil mode: model this CPython's lock (empty: not given)
  std::string start_method = "fork";
  std::string input_size = "0";   ///< bytes every cell's ops read, built by the parent
  std::string result_size = "0";  ///< bytes every op returns to the parent
  bool async_blocking = false;
  std::string cpus;
  std::string io_latency = "1ms";
  std::string compute_time;  ///< mixed: compute per op as a duration
  std::string op_overhead;   ///< CPU work before every op (the interpreter's own)
  std::string io_fraction;   ///< mixed: share of an op spent blocked; sets the compute time
  std::string db_url;        ///< db: a PostgreSQL server instead of SQLite
  std::string shared;        ///< fractions of ops that update one shared counter
  std::string op_size;       ///< one op's size in its workload's unit; empty = each default
  std::string format;        ///< empty: table on stdout, or chosen by the -o file's extension
  std::string output;
  std::string seed = "1";
  std::string fault_signal = "0";
  std::string baseline;                  ///< compare the run with this earlier JSON run
  std::optional<std::string> threshold;  ///< for --baseline (default 10%)
  std::string trace;                     ///< Chrome trace-event file of the gil cells
  std::string export_json;               ///< hyperfine-style exports, beside -o and the terminal
  std::string export_csv;
  std::string export_markdown;
  std::string html;       ///< the HTML report, written after the run
  std::string svg;        ///< the speed-up chart as SVG
  bool timeline = false;  ///< print the gil cells' timelines
  bool quiet = false;
};

/// Largest --input-size (it is held in memory, and copied once per spawned worker).
constexpr std::uint64_t kMaxInputSize = std::uint64_t{1} << 30;
/// Largest --result-size (per op; each worker holds one result at a time).
constexpr std::uint64_t kMaxResultSize = std::uint64_t{16} << 20;

/// Most worker processes per cell: each is a whole process with its own memory.
constexpr unsigned kMaxProcesses = 512;

/// --compute-time or --io-fraction: the compute part of a `mixed` op, or 0 for the default.
/// An io fraction F with IO latency L gives a compute time of L * (1 - F) / F.
std::chrono::nanoseconds mixed_compute_time(const BenchOptions& o, const BenchConfig& c) {
  if (o.compute_time.empty() && o.io_fraction.empty()) return std::chrono::nanoseconds(0);
  const char* option = o.compute_time.empty() ? "--io-fraction" : "--compute-time";
  if (!o.compute_time.empty() && !o.io_fraction.empty()) {
    throw UsageError(
        "--compute-time and --io-fraction both set the compute part of a mixed op; give one of "
        "them");
  }
  if (std::find(c.workloads.begin(), c.workloads.end(), "mixed") == c.workloads.end()) {
    throw UsageError(std::string(option) +
                     " applies to the mixed workload only (add --workload mixed)");
  }
  if (!o.compute_time.empty()) return units::parse_duration(o.compute_time, "--compute-time");
  const double fraction = units::parse_fraction(o.io_fraction, "--io-fraction");
  const double io = static_cast<double>(c.workload_defaults.io_latency.count());
  return std::chrono::nanoseconds(
      std::max<std::int64_t>(1, std::llround(io * (1 - fraction) / fraction)));
}

/// A comma-separated list of names: trimmed, no empty items, duplicates removed.
std::vector<std::string> name_list(const std::string& text, const char* option) {
  std::vector<std::string> names;
  for (const auto item : text::split(text, ',')) {
    const std::string name(text::trim(item));
    if (name.empty()) throw UsageError("empty item in " + std::string(option) + " '" + text + "'");
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

/// --shared: "0,0.1,0.5", each a fraction from 0 to 1 (duplicates removed, order kept).
std::vector<double> parse_shared(const std::string& text) {
  std::vector<double> fractions;
  if (text.empty()) return fractions;
  for (const auto& item : name_list(text, "--shared")) {
    const auto value = text::parse_double(item);
    if (!value || !(*value >= 0 && *value <= 1)) {
      throw UsageError("invalid fraction '" + item + "' for --shared (expected 0 to 1, e.g. 0.1)");
    }
    if (std::find(fractions.begin(), fractions.end(), *value) == fractions.end()) {
      fractions.push_back(*value);
    }
  }
  return fractions;
}

/// "single,threads,…": the mode catalog's names, for --mode's help.
std::string mode_list() {
  std::string out;
  for (const auto& name : mode_names()) {
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

std::vector<Mode> parse_modes(const std::string& text) {
  std::vector<Mode> modes;
  for (const auto& name : name_list(text, "--mode")) modes.push_back(parse_mode(name));
  return modes;
}

std::vector<std::string> parse_workloads(const std::string& text, const WorkloadParams& defaults) {
  auto names = name_list(text, "--workload");
  for (const auto& name : names) {
    WorkloadParams params = defaults;
    params.name = name;
    (void)make_workload(params);  // throws UsageError with a suggestion for an unknown name
  }
  return names;
}

GilPolicy parse_gil_policy(const std::string& text) {
  if (text == "new") return GilPolicy::New;
  if (text == "legacy") return GilPolicy::Legacy;
  throw UsageError("unknown GIL policy '" + text + "' for --gil-policy (choose new or legacy)");
}

/// The lock's policy and check interval: as given, else the --python-version's, else CPython
/// 3's; a policy that contradicts the version named is an error, not a silent choice.
void set_gil_protocol(const BenchOptions& o, BenchConfig& c) {
  std::optional<PythonGil> python;
  if (!o.python_version.empty()) {
    if (o.python_version.ends_with('t') &&
        python_gil(o.python_version.substr(0, o.python_version.size() - 1))) {
      throw UsageError(
          "free-threaded CPython " + o.python_version +
          " has no interpreter lock: its threads are the threads mode (--mode threads)");
    }
    python = python_gil(o.python_version);
    if (!python) {
      throw UsageError("unknown Python version '" + o.python_version +
                       "' for --python-version (known: " + python_versions_known() + ")");
    }
    c.python_version = python->version;
  }
  c.gil_policy = python ? python->policy : GilPolicy::New;
  if (!o.gil_policy.empty()) {
    const GilPolicy policy = parse_gil_policy(o.gil_policy);
    if (python && policy != python->policy) {
      throw UsageError("--gil-policy " + o.gil_policy + " contradicts --python-version " +
                       o.python_version + ", whose lock is " +
                       std::string(to_string(python->policy)) + " (give one of the two)");
    }
    c.gil_policy = policy;
  }
  c.check_interval = python ? python->check_interval : 100;
  if (!o.check_interval.empty()) {
    c.check_interval = units::parse_count(o.check_interval, "--check-interval", 1, 1'000'000'000);
  }
}

/// The start methods' names, from their catalog.
std::vector<std::string> start_method_names() {
  std::vector<std::string> names;
  for (const auto& info : start_method_catalog()) names.emplace_back(info.name);
  return names;
}

StartMethod parse_start(const std::string& text) {
  try {
    return parse_start_method(text);
  } catch (const UsageError& e) {
    throw UsageError(std::string(e.what()) + " for --start-method");
  }
}

/// The largest worker count this run may ask for, and why.
std::pair<unsigned, std::string> worker_limit(const std::vector<Mode>& modes) {
  const bool processes = std::find(modes.begin(), modes.end(), Mode::Process) != modes.end();
  unsigned limit = processes ? kMaxProcesses : engine::kMaxWorkers;
  std::string reason = processes ? "the cap on worker processes" : "the cap on worker threads";
  rlimit nproc{};
  if (::getrlimit(RLIMIT_NPROC, &nproc) == 0 && nproc.rlim_cur != RLIM_INFINITY) {
    // RLIMIT_NPROC counts every thread of this user; keep room for the rest of the session.
    const auto room = nproc.rlim_cur > 64 ? nproc.rlim_cur - 64 : 1;
    if (room < limit) {
      limit = static_cast<unsigned>(room);
      reason = "RLIMIT_NPROC (ulimit -u) is " + std::to_string(nproc.rlim_cur);
    }
  }
  return {limit, reason};
}

std::optional<CpuSet> parse_cpus(const std::string& text, const PlatformReport& platform) {
  if (text.empty()) return std::nullopt;
  auto cpus = CpuSet::parse(text);
  if (!cpus || cpus->empty()) {
    throw UsageError("invalid CPU list '" + text + "' for --cpus (expected e.g. 0 or 0-1,4)");
  }
  if (const auto& allowed = platform.cpu.affinity) {
    const CpuSet outside = cpus->minus(*allowed);
    if (!outside.empty()) {
      throw UsageError("--cpus " + text + ": CPU " + outside.to_string() +
                       " not in this process's affinity (" + allowed->to_string() + ")");
    }
  }
  return cpus;
}

/// "auto": the usable CPUs for CPU-bound work, and more for IO-bound work (threads blocked
/// in IO use no CPU): max(8, 2 × usable).
std::vector<unsigned> auto_workers(const PlatformReport& platform,
                                   const std::optional<CpuSet>& cpus) {
  unsigned usable = platform.cpu.usable.value_or(1);
  if (cpus) usable = std::min(usable, static_cast<unsigned>(cpus->size()));
  usable = std::max(usable, 1U);
  return {usable, std::max(8U, 2 * usable)};
}

/// The whole command line, for the report's context (Linux: /proc/self/cmdline).
std::vector<std::string> command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> args;
  for (std::string arg; std::getline(in, arg, '\0');) args.push_back(arg);
  if (args.empty()) return {"conc-probe", "bench"};
  return args;
}

BenchConfig make_config(const BenchOptions& o, const PlatformReport& platform) {
  BenchConfig c;
  c.modes = parse_modes(o.modes);
  if (!o.op_size.empty()) {
    c.workload_defaults.op_size =
        units::parse_count(o.op_size, "--op-size", 1, std::numeric_limits<unsigned>::max());
  }
  c.workload_defaults.db_url = o.db_url;
  c.workloads = parse_workloads(o.workloads, c.workload_defaults);
  c.cpus = parse_cpus(o.cpus, platform);
  const auto [limit, reason] = worker_limit(c.modes);
  c.workers = units::parse_worker_list(o.workers, "--workers", auto_workers(platform, c.cpus),
                                       limit, reason);
  c.ranks = mpi_rank_counts(o.ranks, c, limit, reason);
  c.duration = units::parse_duration(o.duration, "--duration");
  if (!o.repetitions.empty()) {
    c.repetitions = units::parse_count(o.repetitions, "--repetitions", 1, 1000);
    c.max_repetitions = 0;  // exactly that many
  } else {
    c.repetitions = units::parse_count(o.min_repetitions, "--min-repetitions", 1, 1000);
    c.max_repetitions = units::parse_count(o.max_repetitions, "--max-repetitions", 1, 1000);
    if (c.max_repetitions < c.repetitions) {
      throw UsageError("--max-repetitions " + o.max_repetitions + " is below --min-repetitions " +
                       o.min_repetitions);
    }
    c.precision = units::parse_percentage(o.precision, "--precision");
    if (!(c.precision > 0 && c.precision < 1)) {
      throw UsageError("--precision must be above 0% and below 100% (e.g. 2%)");
    }
    c.max_time = units::parse_duration(o.max_time, "--max-time");
  }
  c.warmup = units::parse_count(o.warmup, "--warmup", 0, 100);
  c.switch_intervals = units::parse_duration_list(o.switch_intervals, "--switch-interval");
  c.shared_fractions = parse_shared(o.shared);
  set_gil_protocol(o, c);
  c.start_method = parse_start(o.start_method);
  c.input_size = units::parse_byte_size(o.input_size, "--input-size", kMaxInputSize);
  c.result_size = units::parse_byte_size(o.result_size, "--result-size", kMaxResultSize);
  c.async_blocking = o.async_blocking;
  c.workload_defaults.io_latency = units::parse_duration(o.io_latency, "--io-latency");
  c.workload_defaults.compute_time = mixed_compute_time(o, c);
  if (!o.op_overhead.empty())
    c.workload_defaults.op_overhead = units::parse_duration(o.op_overhead, "--op-overhead");
  const auto seed = text::parse_u64(o.seed);
  if (!seed || o.seed.find_first_not_of("0123456789") != std::string::npos) {
    throw UsageError("invalid seed '" + o.seed + "' for --seed (expected a whole number)");
  }
  c.seed = *seed;
  c.fault_signal = static_cast<int>(units::parse_count(o.fault_signal, "--fault-signal", 0, 64));
  c.command_line = command_line();
  c.record_timeline = o.timeline || !o.trace.empty() || !o.html.empty();
  return c;
}

/// --format, or for an -o file its extension (.md, .csv, .txt), else JSON.
Format output_format(const BenchOptions& o) {
  if (!o.format.empty()) return parse_format(o.format, bench_formats());
  if (o.output.empty()) return Format::Table;
  const std::string ext = std::filesystem::path(o.output).extension().string();
  return format_for_extension(ext, bench_formats()).value_or(Format::Json);
}

std::string render(const BenchReport& report, Format format, Style style = {}) {
  std::ostringstream out;
  write_bench(out, report, format, style);
  return out.str();
}

/// One file the report is written to, in one format.
struct Export {
  std::string path;
  Format format;
};

/// The -o file (in `format`) and the --export-* files, in that order.
std::vector<Export> exports_of(const BenchOptions& o, Format format) {
  std::vector<Export> out;
  if (!o.output.empty()) out.push_back({o.output, format});
  if (!o.export_json.empty()) out.push_back({o.export_json, Format::Json});
  if (!o.export_csv.empty()) out.push_back({o.export_csv, Format::Csv});
  if (!o.export_markdown.empty()) out.push_back({o.export_markdown, Format::Markdown});
  return out;
}

/// Observer: progress on a terminal's stderr, every export file rewritten after every cell.
/// A failing rewrite is remembered (the engine must not see it as a failed cell).
struct RunSink {
  std::vector<Export> exports;
  ProgressDisplay& progress;
  std::optional<std::string> write_error;

  EngineObserver observer() {
    EngineObserver o;
    if (progress.enabled()) o.progress = [this](const RunProgress& p) { progress.show(p); };
    if (!exports.empty()) o.cell_finished = [this](const BenchReport& report) { save(report); };
    return o;
  }

  void save(const BenchReport& report) {
    for (const auto& file : exports) {
      try {
        write_file_atomically(file.path, render(report, file.format));
      } catch (const Error& error) {
        if (!write_error) write_error = error.what();
      }
    }
  }
};

int exit_code(const BenchReport& report) {
  if (report.interrupted) return static_cast<int>(ExitCode::Interrupted);
  const bool failed = std::any_of(report.cells.begin(), report.cells.end(),
                                  [](const CellResult& c) { return c.failed; });
  return static_cast<int>(failed ? ExitCode::RunFailed : ExitCode::Success);
}

/// The earlier run given with --baseline, read before any work so a bad file costs nothing.
std::optional<LoadedRun> load_baseline(const BenchOptions& options, CompareOptions& compare) {
  if (options.baseline.empty()) {
    if (options.threshold)
      throw UsageError("--threshold applies to --baseline only (add --baseline FILE)");
    return std::nullopt;
  }
  compare.threshold = units::parse_percentage(options.threshold.value_or("10%"), "--threshold");
  return load_run(options.baseline);
}

/// The -o and --trace files, checked before any work: writable, and not one file.
void check_output_files(const BenchOptions& options) {
  if (!options.output.empty()) check_writable(options.output);
  if (!options.trace.empty()) check_writable(options.trace);
  if (!options.output.empty() && !options.trace.empty() &&
      same_target(options.output, options.trace)) {
    throw UsageError("-o and --trace name the same file '" + options.trace +
                     "' (the trace would overwrite the report)");
  }
}

/// --baseline: the matrix must be the baseline's, checked before any work; the run then
/// does the baseline's op counts, so both runs' cells did the same work.
void follow_baseline(const LoadedRun& baseline, const BenchOptions& options, BenchConfig& config) {
  std::error_code ec;
  if (!options.output.empty() && std::filesystem::exists(options.output, ec) &&
      std::filesystem::equivalent(options.output, options.baseline, ec)) {
    throw UsageError("-o " + options.output + " is the --baseline file: the run would overwrite " +
                     "the baseline it is compared with; write it elsewhere");
  }
  std::map<std::string, const RunCell*> cells;
  for (const auto& cell : baseline.cells) cells[cell.id] = &cell;
  std::size_t matched = 0;
  for (const auto& name : config.workloads) {
    for (const auto& key : engine::cell_keys(config, name)) {
      const auto id = cell_id(key);
      const auto found = cells.find(id);
      if (found == cells.end()) {
        throw UsageError("cells do not match: this run's '" + id + "' is not in '" +
                         options.baseline + "'; run the baseline's matrix (see its config)");
      }
      ++matched;
      if (found->second->total_ops > 0) config.fixed_ops[name] = found->second->total_ops;
    }
  }
  if (matched != cells.size()) {
    for (const auto& [id, cell] : cells) {
      bool ours = false;
      for (const auto& name : config.workloads)
        for (const auto& key : engine::cell_keys(config, name)) ours = ours || cell_id(key) == id;
      if (!ours)
        throw UsageError("cells do not match: '" + id + "' is in '" + options.baseline +
                         "' but not in this run; run the baseline's matrix (see its config)");
    }
  }
}

/// Compares the finished run with the baseline. The verdicts go to stdout after a table or
/// markdown report, and to stderr when stdout carries JSON or CSV (to keep it parseable).
bool regressed(const BenchReport& report, const LoadedRun& baseline, const CompareOptions& compare,
               const BenchOptions& options, Format format, std::ostream& stdout_text) {
  const LoadedRun next = parse_run(render(report, Format::Json), "this run");
  const Comparison comparison = compare_runs(baseline, next, compare);
  const bool to_stdout =
      options.output.empty() && (format == Format::Table || format == Format::Markdown);
  std::ostream& out = to_stdout ? stdout_text : std::cerr;
  for (const auto& warning : comparison.warnings)
    std::cerr << "conc-probe: warning: " << warning << '\n';
  out << "\nCompared with " << options.baseline << ":\n";
  write_comparison(out, comparison, format == Format::Markdown ? Format::Markdown : Format::Table);
  out.flush();
  return comparison.has(Verdict::Slower);
}

/// True when a gil cell recorded its lock's timeline (there is something to show).
bool has_timeline(const BenchReport& report) {
  return std::any_of(report.cells.begin(), report.cells.end(), [](const CellResult& cell) {
    return cell.key.mode == Mode::Gil &&
           std::any_of(cell.samples.begin(), cell.samples.end(),
                       [](const Sample& s) { return !s.gil_events.empty(); });
  });
}

/// --timeline after a table or markdown report on stdout (else on stderr); --trace to its file.
/// Without a gil cell's timeline, both say so on stderr and no trace file is written (trace
/// viewers reject an empty one).
void write_timelines(const BenchReport& report, const BenchOptions& options, Format format,
                     std::ostream& stdout_text) {
  if ((options.timeline || !options.trace.empty()) && !has_timeline(report)) {
    std::cerr << "conc-probe: warning: no gil cell recorded a lock timeline (add --mode gil); "
              << (options.trace.empty() ? "nothing to show"
                                        : "no trace written to " + options.trace)
              << '\n';
    return;
  }
  if (options.timeline) {
    const bool to_stdout =
        options.output.empty() && (format == Format::Table || format == Format::Markdown);
    std::ostream& out = to_stdout ? stdout_text : std::cerr;
    if (format == Format::Markdown && to_stdout) out << "\n```";
    write_bench_timelines(out, report);
    if (format == Format::Markdown && to_stdout) out << "```\n";
    out.flush();
  }
  if (!options.trace.empty()) {
    std::ostringstream trace;
    write_bench_trace(trace, report);
    write_file_atomically(options.trace, trace.str());
    if (!options.quiet)
      std::cerr << "conc-probe: wrote the gil trace to " << options.trace
                << " (open it in ui.perfetto.dev)\n";
  }
}

/// --html and --svg, after the run (a run without a chart to draw says so on stderr).
void write_pictures(const BenchReport& report, const BenchOptions& options) {
  if (!options.html.empty()) {
    save_html(options.html, report);
    if (!options.quiet)
      std::cerr << "conc-probe: wrote the HTML report to " << options.html << '\n';
  }
  if (!options.svg.empty()) {
    try {
      save_svg(options.svg, report, "speedup");
    } catch (const UsageError& error) {
      std::cerr << "conc-probe: warning: " << error.what() << '\n';
    }
  }
}

int run_bench_here(const BenchOptions& options) {
  const Format format = output_format(options);
  check_output_files(options);
  const std::vector<Export> exports = exports_of(options, format);
  for (const auto& file : exports) check_writable(file.path);
  for (const auto* file : {&options.html, &options.svg})
    if (!file->empty()) check_writable(*file);
  CompareOptions compare;
  const std::optional<LoadedRun> baseline = load_baseline(options, compare);
  const PlatformReport platform = probe_platform(ProbeOptions{});
  BenchConfig config = make_config(options, platform);
  if (baseline) follow_baseline(*baseline, options, config);
  ProgressDisplay progress(is_terminal(STDERR_FILENO) && !options.quiet);
  RunSink sink{exports, progress, std::nullopt};
  const StopSignals signals;
  const BenchReport report = run_bench(config, sink.observer());
  progress.clear();
  // With -o the table stays on a terminal (a pipe gets nothing: the file is the result).
  std::ostringstream stdout_text;
  const bool to_terminal = options.output.empty() || is_terminal(STDOUT_FILENO);
  if (to_terminal) {
    const Format shown = options.output.empty() ? format : Format::Table;
    write_bench(
        stdout_text, report, shown,
        Style{shown == Format::Table && color_allowed(STDOUT_FILENO), output_width(STDOUT_FILENO)});
  }
  if (!exports.empty()) {
    sink.save(report);
    if (sink.write_error) throw Error(ExitCode::RunFailed, *sink.write_error);
    if (!options.quiet)
      for (const auto& file : exports)
        std::cerr << "conc-probe: wrote " << report.cells.size() << " cells to " << file.path
                  << '\n';
  }
  write_timelines(report, options, format, stdout_text);
  write_pictures(report, options);
  int code = exit_code(report);
  if (code == 0 && baseline && regressed(report, *baseline, compare, options, format, stdout_text))
    code = static_cast<int>(ExitCode::Regression);
  write_stdout(stdout_text.str());
  return code;
}

int run_bench_command(const BenchOptions& options) {
  // Under mpirun only rank 0 runs (and prints) the bench; the other ranks serve its cells.
  if (bench_runs_as_ranks())
    return mpi::run_bench_as_ranks([&](unsigned) { return run_bench_here(options); });
  return run_bench_here(options);
}

void add_options(CLI::App& command, BenchOptions& o) {
  command.add_option("-m,--mode", o.modes, "Modes, comma-separated: " + mode_list())
      ->capture_default_str()
      ->type_name("LIST");
  command
      .add_option("--workload", o.workloads, "Workloads, comma-separated (see 'conc-probe list')")
      ->capture_default_str()
      ->type_name("LIST");
  command
      .add_option(
          "--workers", o.workers,
          "Worker counts, e.g. 1,2,4; 'auto' = the usable CPUs and max(8, 2x usable) for IO")
      ->capture_default_str()
      ->type_name("LIST");
  command.add_option("--ranks", o.ranks, "mpi: rank counts, e.g. 2,4 (default: the worker counts)")
      ->type_name("LIST");
  command
      .add_option("-d,--duration", o.duration,
                  "Target time of the single cell per repetition, e.g. 300ms, 1.5s")
      ->capture_default_str()
      ->type_name("DURATION");
  command
      .add_option("-r,--repetitions", o.repetitions,
                  "Exactly this many measured repetitions per cell (6+ for a true 95% CI); "
                  "default: adaptive, see --precision")
      ->type_name("COUNT");
  command
      .add_option("--min-repetitions", o.min_repetitions,
                  "Adaptive: measured repetitions every cell gets")
      ->capture_default_str()
      ->type_name("COUNT");
  command
      .add_option("--max-repetitions", o.max_repetitions,
                  "Adaptive: most repetitions of a cell whose interval stays wide")
      ->capture_default_str()
      ->type_name("COUNT");
  command
      .add_option("--precision", o.precision,
                  "Adaptive: repeat a cell until its median's 95% interval is within this")
      ->capture_default_str()
      ->type_name("PERCENT");
  command
      .add_option("--max-time", o.max_time,
                  "Adaptive: time budget of the whole run's extra repetitions")
      ->capture_default_str()
      ->type_name("DURATION");
  command.add_option("-w,--warmup", o.warmup, "Unmeasured repetitions per cell first")
      ->capture_default_str()
      ->type_name("COUNT");
  command
      .add_option("--switch-interval", o.switch_intervals,
                  "gil mode switch intervals, e.g. 5ms,1ms,100us")
      ->capture_default_str()
      ->type_name("LIST");
  command
      .add_option("--gil-policy", o.gil_policy,
                  "gil mode lock: new (CPython 3.2+) or legacy (Python 2)")
      ->default_str("new")
      ->type_name("POLICY")
      ->check(non_empty());
  command
      .add_option("--check-interval", o.check_interval, "legacy GIL: checkpoints between releases")
      ->default_str("100")
      ->type_name("COUNT")
      ->check(non_empty());
  command
      .add_option("--python-version", o.python_version,
                  "gil mode: model this CPython's lock, e.g. 2.7 (legacy) or 3.12 (new)")
      ->type_name("X.Y")
      ->check(non_empty());
  command
      .add_option("--start-method", o.start_method,
                  "process mode: fork, spawn (re-executes this binary) or forkserver (one "
                  "re-executed server forks the workers)")
      ->capture_default_str()
      ->type_name("METHOD");
  command
      .add_option("--input-size", o.input_size,
                  "bytes of input the parent builds; every op reads its slice (e.g. 64KiB)")
      ->capture_default_str()
      ->type_name("BYTES");
  command
      .add_option("--result-size", o.result_size,
                  "bytes every op returns to the parent (e.g. 1KiB)")
      ->capture_default_str()
      ->type_name("BYTES");
  command.add_flag("--async-blocking", o.async_blocking,
                   "async mode: make every blocking call on the loop itself (the classic mistake)");
  command.add_option("--cpus", o.cpus, "Restrict the whole run to these CPUs, e.g. 0 or 0-1")
      ->type_name("LIST")
      ->check(non_empty());
  command
      .add_option("--io-latency", o.io_latency, "Blocking time of one IO op (sleep, net, mixed)")
      ->capture_default_str()
      ->type_name("DURATION");
  command
      .add_option("--compute-time", o.compute_time,
                  "mixed: CPU work per op before its blocking wait, e.g. 200us (default: 20000 "
                  "count iterations)")
      ->type_name("DURATION");
  command
      .add_option("--io-fraction", o.io_fraction,
                  "mixed: share of an op spent blocked, e.g. 0.9 or 90%; sets the compute time "
                  "from --io-latency")
      ->type_name("FRACTION");
  command
      .add_option("--op-overhead", o.op_overhead,
                  "CPU work before every op, standing for the interpreter's own (a Python "
                  "loop's bytecodes and call, an asyncio task step), e.g. 5us; it holds the lock "
                  "in gil mode and the loop in async mode (default: none)")
      ->type_name("DURATION")
      ->check(non_empty());
  command
      .add_option("--op-size", o.op_size,
                  "Size of one op in its workload's unit: iterations, numbers, bytes (see "
                  "docs/workloads.md; default: each workload's own)")
      ->type_name("N")
      ->check(non_empty());
  command
      .add_option("--shared", o.shared,
                  "Fractions of ops that also update one shared counter atomically, e.g. "
                  "0,0.1,0.5: one set of cells per fraction")
      ->type_name("LIST")
      ->check(non_empty());
  command
      .add_option("--db-url", o.db_url,
                  "db: run against this PostgreSQL server (postgresql://...) instead of SQLite")
      ->type_name("URL")
      ->check(non_empty());
  command
      .add_option(
          "-f,--format", o.format,
          format_names(bench_formats()) + " (default: table; for -o by extension, else json)")
      ->type_name("FORMAT")
      ->check(non_empty());
  command
      .add_option("-o,--output", o.output,
                  "Write the report to FILE (atomically, after every cell; format by extension); "
                  "the table stays on a terminal")
      ->type_name("FILE")
      ->check(non_empty());
  command.add_option("--export-json", o.export_json, "Also write the JSON report to FILE")
      ->type_name("FILE")
      ->check(non_empty());
  command.add_option("--export-csv", o.export_csv, "Also write the CSV report to FILE")
      ->type_name("FILE")
      ->check(non_empty());
  command
      .add_option("--export-markdown", o.export_markdown, "Also write the markdown report to FILE")
      ->type_name("FILE")
      ->check(non_empty());
  command.add_flag("-q,--quiet", o.quiet, "No progress display and no note on stderr");
  command
      .add_option("--baseline", o.baseline,
                  "Compare with an earlier `--format json` run; exit 3 on a regression")
      ->type_name("FILE")
      ->check(non_empty());
  command.add_flag("--timeline", o.timeline,
                   "Show who held the gil cells' lock, who waited, who was in IO");
  command
      .add_option("--trace", o.trace,
                  "Write the gil cells' lock timeline as Chrome trace-event JSON (Perfetto)")
      ->type_name("FILE")
      ->check(non_empty());
  command
      .add_option("--html", o.html,
                  "Also write a self-contained HTML report with charts (records gil timelines)")
      ->type_name("FILE")
      ->check(non_empty());
  command.add_option("--svg", o.svg, "Also write the speed-up chart as an SVG file")
      ->type_name("FILE")
      ->check(non_empty());
  command.add_option("--threshold", o.threshold, "With --baseline: the change that counts")
      ->default_str("10%")
      ->type_name("PERCENT");
  command.add_option("--seed", o.seed, "Seed of every pseudo-random choice")
      ->capture_default_str()
      ->type_name("NUMBER");
  command
      .add_option("--fault-signal", o.fault_signal,
                  "Testing: kill a process-mode worker with this signal")
      ->group("");
}

}  // namespace

Action add_bench_command(CLI::App& app) {
  auto options = std::make_shared<BenchOptions>();
  auto* command =
      app.add_subcommand("bench",
                         "Benchmark workloads under single, threads, gil and process modes "
                         "with several worker counts, with honest statistics");
  command->group("Subcommands");
  add_options(*command, *options);
  add_color_option(*command);
  // The fixed sets of values, for the completions and the man page.
  set_choices(command->get_option("--mode"), mode_names(), true);
  set_choices(command->get_option("--workload"), workload_names(), true);
  set_choices(command->get_option("--format"), bench_formats());
  set_choices(command->get_option("--gil-policy"), "new,legacy");
  set_choices(command->get_option("--start-method"), start_method_names());
  command->footer(
      "Default: count and sleep, all four modes, workers 1 and auto: about 20 s on 2 CPUs.\n"
      "Examples:\n  conc-probe bench\n  conc-probe bench -m threads,gil --workload primes "
      "--workers 1,2,4 -r 10\n"
      "  conc-probe bench -o run.json --html report.html\n"
      "Exit codes: 0 ok, 1 a cell failed, 2 bad usage, 3 regression against --baseline,\n"
      "130 interrupted (finished cells kept in -o).");
  return [options]() { return run_bench_command(*options); };
}

}  // namespace conc_probe::cli
