// Reading bench JSON for compare and --baseline: a streaming (SAX) reader that keeps only
// what compare needs, so memory grows with the cells and samples of the file, not with
// the rest of it; every input bounded (file size, nesting, strings, cells, samples).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <functional>
#include <istream>
#include <new>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <streambuf>
#include <system_error>
#include <variant>

#include "conc_probe/compare.hpp"
#include "conc_probe/error.hpp"

namespace conc_probe {
namespace {

using nlohmann::json;

/// Deeper nesting than any bench file has; bounds the reader's path stack.
constexpr std::size_t kMaxDepth = 64;
/// Longest kept string (names, versions, CPU models).
constexpr std::size_t kMaxKeptString = 4096;
/// More than any bench run has (--max-repetitions and the matrix are far smaller).
constexpr std::size_t kMaxCells = 100'000;
constexpr std::size_t kMaxSamplesPerCell = 100'000;

std::string make_id(const std::string& workload, const std::string& mode, unsigned workers,
                    std::optional<double> interval_seconds, std::optional<double> shared = {}) {
  std::string id = workload + "/" + mode + "/" + std::to_string(workers);
  if (interval_seconds) {
    std::ostringstream text;
    text << *interval_seconds * 1e3 << "ms";
    id += "/" + text.str();
  }
  if (shared) {
    std::ostringstream text;
    text << "/shared " << *shared;
    id += text.str();
  }
  return id;
}

/// A scalar value as the SAX interface hands it over.
using Scalar = std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string>;

std::optional<double> number_of(const Scalar& value) {
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  if (const auto* u = std::get_if<std::uint64_t>(&value)) return static_cast<double>(*u);
  return std::nullopt;
}

/// A cell while it is being read.
struct PendingCell {
  std::optional<std::string> workload, mode;
  std::optional<unsigned> workers;
  std::optional<double> interval;
  std::optional<double> shared;  ///< --shared: the cell's fraction
  RunCell cell;
  bool has_samples = false;
};

struct PendingSample {
  bool ok = true;
  std::optional<double> wall;
  std::uint64_t ops = 0;
  double taken = 0;
};

/// What the reader found, checked once the document ended.
struct Found {
  std::optional<std::string> schema_version, tool, version;
  bool has_cells = false;
  bool top_is_object = false;
};

/// The SAX handler: follows the path of each value and keeps the few compare reads.
class RunReader final : public nlohmann::json_sax<json> {
 public:
  explicit RunReader(LoadedRun& run) : run_(run) {}

  bool null() override { return value(nullptr); }
  bool boolean(bool v) override { return value(v); }
  bool number_integer(number_integer_t v) override { return value(std::int64_t{v}); }
  bool number_unsigned(number_unsigned_t v) override { return value(std::uint64_t{v}); }
  bool number_float(number_float_t v, const string_t&) override { return value(double{v}); }
  bool string(string_t& v) override {
    if (v.size() > kMaxKeptString && wanted_string()) return fail("a string field is too long");
    return value(std::move(v));
  }
  bool binary(binary_t&) override { return value(nullptr); }
  bool key(string_t& k) override {
    path_.back() = k.size() <= kMaxKeptString ? std::move(k) : std::string("?");
    return true;
  }
  bool start_object(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    syntax_error_ = std::string(e.what()).substr(0, 120);
    return false;
  }

  [[nodiscard]] const Found& found() const noexcept { return found_; }
  [[nodiscard]] const std::string& syntax_error() const noexcept { return syntax_error_; }
  [[nodiscard]] const std::string& content_error() const noexcept { return content_error_; }

 private:
  /// True when the current location is exactly `names` ("[]" for an array element).
  [[nodiscard]] bool at(std::initializer_list<std::string_view> names) const {
    if (path_.size() != names.size()) return false;
    std::size_t i = 0;
    for (const auto name : names) {
      if (path_[i++] != name) return false;
    }
    return true;
  }

  [[nodiscard]] bool wanted_string() const { return path_.size() <= 5; }

  bool fail(const std::string& why) {
    if (content_error_.empty()) content_error_ = why;
    return false;
  }

  bool open(bool array) {
    if (path_.empty()) found_.top_is_object = !array;
    if (path_.empty() && array) return fail("not an object");
    if (at({"cells"}) && array) found_.has_cells = true;
    if (at({"cells", "[]"}) && !array) {
      if (run_.cells.size() >= kMaxCells) return fail("more cells than any run has");
      cell_.emplace();
    }
    if (cell_ && at({"cells", "[]", "samples"}) && array) cell_->has_samples = true;
    if (cell_ && at({"cells", "[]", "samples", "[]"}) && !array) {
      if (cell_->cell.wall_seconds.size() >= kMaxSamplesPerCell)
        return fail("more samples in a cell than any run has");
      sample_.emplace();
    }
    if (path_.size() >= kMaxDepth) return fail("nested too deeply");
    path_.emplace_back(array ? "[]" : "");
    return true;
  }

  bool close() {
    path_.pop_back();
    if (!path_.empty() && path_.back() == "[]") {
      if (sample_ && at({"cells", "[]", "samples", "[]"})) return end_sample();
      if (cell_ && at({"cells", "[]"})) return end_cell();
    }
    return true;
  }

  bool value(Scalar v) {
    if (path_.empty()) return fail("not an object");
    if (path_.size() == 1) return top_value(std::move(v));
    if (path_.front() == "context") return context_value(std::move(v));
    if (sample_ && path_.size() >= 5) return sample_value(v);
    if (cell_ && path_.size() >= 3) return cell_value(std::move(v));
    return true;
  }

  bool top_value(Scalar v) {
    if (at({"schema_version"})) {
      auto* text = std::get_if<std::string>(&v);
      if (text == nullptr) return fail("schema_version is not a string");
      found_.schema_version = std::move(*text);
    }
    return true;
  }

  bool context_value(Scalar v) {
    auto* text = std::get_if<std::string>(&v);
    const auto keep = [&](std::optional<std::string>& into, bool required) {
      if (text != nullptr) into = std::move(*text);
      return text != nullptr || (!required && std::holds_alternative<std::nullptr_t>(v));
    };
    if (at({"context", "tool"})) return keep(found_.tool, true) || fail("context.tool");
    if (at({"context", "version"})) return keep(found_.version, true) || fail("context.version");
    if (at({"context", "build_type"})) {
      if (text != nullptr) run_.build_type = std::move(*text);
    } else if (at({"context", "info", "identity", "model_name"})) {
      keep(run_.cpu_model, false);
    } else if (at({"context", "info", "os", "kernel_release"})) {
      keep(run_.hostname_hint, false);
    } else if (at({"context", "info", "cpu", "usable_fraction"})) {
      run_.usable_cpus = number_of(v);
    }
    return true;
  }

  bool cell_value(Scalar v) {
    PendingCell& c = *cell_;
    const bool in_key = path_.size() == 4 && path_[2] == "key";
    if (path_.size() != 3 && !in_key) return true;
    const std::string& name = path_.back();
    auto* text = std::get_if<std::string>(&v);
    if (name == "workload" || name == "mode") {
      if (text == nullptr) return fail("a cell's " + name + " is not a string");
      (name == "workload" ? c.workload : c.mode) = std::move(*text);
    } else if (name == "workers") {
      const auto* count = std::get_if<std::uint64_t>(&v);
      if (count == nullptr || *count > 1'000'000) return fail("a cell's workers is not a count");
      c.workers = static_cast<unsigned>(*count);
    } else if (name == "switch_interval_seconds") {
      c.interval = number_of(v);
    } else if (in_key && name == "shared_fraction") {
      c.shared = number_of(v);
    } else if (!in_key && name == "busy") {
      c.cell.busy = std::get_if<bool>(&v) != nullptr && std::get<bool>(v);
    } else if (!in_key && name == "failed") {
      c.cell.failed = std::get_if<bool>(&v) != nullptr && std::get<bool>(v);
    } else if (!in_key && name == "total_ops") {
      if (const auto* ops = std::get_if<std::uint64_t>(&v)) c.cell.total_ops = *ops;
    }
    return true;
  }

  bool sample_value(const Scalar& v) {
    PendingSample& s = *sample_;
    if (at({"cells", "[]", "samples", "[]", "ok"})) {
      if (const auto* ok = std::get_if<bool>(&v)) s.ok = *ok;
    } else if (at({"cells", "[]", "samples", "[]", "wall_seconds"})) {
      s.wall = number_of(v);
      if (!s.wall) return fail("a sample's wall_seconds is not a number");
    } else if (at({"cells", "[]", "samples", "[]", "ops"})) {
      if (const auto* ops = std::get_if<std::uint64_t>(&v)) s.ops = *ops;
    } else if (at({"cells", "[]", "samples", "[]", "interference", "taken_fraction"})) {
      if (const auto taken = number_of(v)) s.taken = std::clamp(*taken, 0.0, 0.95);
    }
    return true;
  }

  bool end_sample() {
    const PendingSample s = *sample_;
    sample_.reset();
    if (!s.ok) return true;
    RunCell& out = cell_->cell;
    if (!s.wall) return fail("a sample has no wall_seconds");
    if (!(*s.wall > 0) || !std::isfinite(*s.wall))
      return fail("a sample has a wall time of " + std::to_string(*s.wall) +
                  " s (a measured time is positive)");
    out.wall_seconds.push_back(*s.wall);
    if (s.ops > 0) {
      out.seconds_per_op.push_back(*s.wall / static_cast<double>(s.ops));
      out.taken_fraction.push_back(s.taken);
    }
    if (out.total_ops == 0) out.total_ops = s.ops;
    return true;
  }

  bool end_cell() {
    PendingCell c = std::move(*cell_);
    cell_.reset();
    if (!c.workload || !c.mode || !c.workers)
      return fail("a cell has no workload, mode or workers");
    if (!c.has_samples) return fail("a cell has no samples");
    c.cell.id = make_id(*c.workload, *c.mode, *c.workers, c.interval, c.shared);
    if (!ids_.insert(c.cell.id).second) return fail("cell '" + c.cell.id + "' appears twice");
    run_.cells.push_back(std::move(c.cell));
    return true;
  }

  LoadedRun& run_;
  Found found_;
  std::vector<std::string> path_;
  std::optional<PendingCell> cell_;
  std::optional<PendingSample> sample_;
  std::set<std::string> ids_;
  std::string syntax_error_, content_error_;
};

/// The schema major of "MAJOR.MINOR"; throws for anything else ("-1.0", "1x").
int schema_major(const std::optional<std::string>& version, const std::string& name) {
  if (!version) throw UsageError("'" + name + "' is not conc-probe bench JSON (no schema_version)");
  static const std::regex kPattern("([0-9]{1,6})\\.[0-9]{1,6}");
  std::smatch match;
  if (!std::regex_match(*version, match, kPattern))
    throw UsageError("'" + name + "' has a malformed schema_version '" + *version + "'");
  return std::stoi(match[1].str());
}

/// Checks what the whole document said, in the order a reader would look.
void check_found(const RunReader& reader, LoadedRun& run, const std::string& name) {
  const Found& found = reader.found();
  if (!found.top_is_object)
    throw UsageError("'" + name + "' is not conc-probe bench JSON (not an object)");
  run.schema_major = schema_major(found.schema_version, name);
  if (run.schema_major > kBenchSchemaMajor) {
    throw UsageError("'" + name + "' has schema version " + *found.schema_version +
                     ", newer than this conc-probe reads (" + std::to_string(kBenchSchemaMajor) +
                     ".x); upgrade conc-probe");
  }
  if (!found.tool)
    throw UsageError("'" + name + "' is not conc-probe bench JSON (no context.tool)");
  if (*found.tool != "conc-probe") throw UsageError("'" + name + "' was not written by conc-probe");
  if (!found.version)
    throw UsageError("'" + name + "' is not conc-probe bench JSON (no context.version)");
  if (!found.has_cells) throw UsageError("'" + name + "' is not conc-probe bench JSON (no cells)");
  run.version = *found.version;
}

/// Runs the reader over `input` (a string or a stream) and turns its findings into a run.
template <class Input>
LoadedRun read_run(Input&& input, const std::string& name, const std::function<void()>& on_fail) {
  LoadedRun run;
  run.path = name;
  RunReader reader(run);
  bool ok = false;
  try {
    ok = json::sax_parse(std::forward<Input>(input), &reader);
  } catch (const std::bad_alloc&) {
    throw UsageError("'" + name + "' is too large to read in the memory available");
  }
  if (!ok) {
    on_fail();  // a read error or the size limit explains a cut-off document best
    if (!reader.content_error().empty()) {
      if (reader.content_error() == "not an object" || !reader.found().schema_version)
        throw UsageError("'" + name + "' is not conc-probe bench JSON (" + reader.content_error() +
                         ")");
      check_found(reader, run, name);  // a newer schema or another tool explains it better
      throw UsageError("'" + name + "' is not conc-probe bench JSON (" + reader.content_error() +
                       ")");
    }
    throw UsageError("'" + name + "' is not valid JSON (" + reader.syntax_error() + ")");
  }
  check_found(reader, run, name);
  return run;
}

/// A stream over a descriptor that reads at most `limit` bytes (a pipe has no size).
class LimitedFdBuffer final : public std::streambuf {
 public:
  LimitedFdBuffer(int fd, std::uintmax_t limit) : fd_(fd), limit_(limit) {}
  [[nodiscard]] std::uintmax_t total() const noexcept { return total_; }
  [[nodiscard]] bool exceeded() const noexcept { return total_ > limit_; }
  [[nodiscard]] int error() const noexcept { return error_; }

 protected:
  int_type underflow() override {
    if (exceeded() || error_ != 0) return traits_type::eof();
    ssize_t got = 0;
    do {
      got = ::read(fd_, buffer_, sizeof buffer_);
    } while (got < 0 && errno == EINTR);
    if (got < 0) error_ = errno;
    if (got <= 0) return traits_type::eof();
    total_ += static_cast<std::uintmax_t>(got);
    if (exceeded()) return traits_type::eof();
    setg(buffer_, buffer_, buffer_ + got);
    return traits_type::to_int_type(buffer_[0]);
  }

 private:
  int fd_;
  std::uintmax_t limit_;
  std::uintmax_t total_ = 0;
  int error_ = 0;
  char buffer_[1 << 16];
};

/// Opens `path` ("-": standard input) and refuses what cannot be a result file.
int open_input(const std::filesystem::path& path, const std::string& name) {
  if (path == "-") return STDIN_FILENO;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw UsageError("cannot read '" + name + "': " + std::generic_category().message(errno));
  struct stat info {};
  if (::fstat(fd, &info) == 0) {
    const char* problem =
        S_ISDIR(info.st_mode)                        ? "is a directory"
        : S_ISREG(info.st_mode) && info.st_size == 0 ? "is empty"
        : S_ISREG(info.st_mode) && static_cast<std::uintmax_t>(info.st_size) > kMaxRunFileBytes
            ? "is too large to be a conc-probe result"
            : nullptr;
    if (problem != nullptr) {
      ::close(fd);
      throw UsageError("'" + name + "' " + problem);
    }
  }
  return fd;
}

}  // namespace

std::string cell_id(const CellKey& key) {
  return make_id(key.workload, std::string(to_string(key.mode)), key.workers,
                 key.switch_interval ? std::optional<double>(
                                           static_cast<double>(key.switch_interval->count()) * 1e-9)
                                     : std::nullopt,
                 key.shared_fraction);
}

LoadedRun parse_run(std::string_view json_text, const std::string& name) {
  return read_run(json_text, name, [] {});
}

LoadedRun load_run(const std::filesystem::path& path) {
  const std::string name = path == "-" ? std::string("standard input") : path.string();
  const int fd = open_input(path, name);
  LimitedFdBuffer buffer(fd, kMaxRunFileBytes);
  std::istream stream(&buffer);
  const auto close_input = [&] {
    if (fd != STDIN_FILENO) ::close(fd);
  };
  try {
    LoadedRun run = read_run(stream, name, [&] {
      if (buffer.exceeded())
        throw UsageError("'" + name + "' is too large to be a conc-probe result");
      if (buffer.error() != 0)
        throw UsageError("cannot read '" + name +
                         "': " + std::generic_category().message(buffer.error()));
      if (buffer.total() == 0) throw UsageError("'" + name + "' is empty");
    });
    close_input();
    return run;
  } catch (...) {
    close_input();
    throw;
  }
}

}  // namespace conc_probe
