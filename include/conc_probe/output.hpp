#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "conc_probe/error.hpp"

/// The one output path of every subcommand: results to stdout or to an `-o` file, every
/// write and the final flush checked.
namespace conc_probe {

/// The reader of stdout went away (`conc-probe ... | head`): not an error to report; the
/// program ends quietly, as other Unix tools do.
class ClosedPipe : public Error {
 public:
  ClosedPipe() : Error(ExitCode::RunFailed, "stdout closed by its reader") {}
};

/// Writes all of `text` to stdout (after flushing anything buffered in std::cout). Throws
/// ClosedPipe when the reader closed the pipe, else Error (exit 1) "cannot write to stdout:
/// <reason>".
void write_stdout(std::string_view text);

/// Flushes std::cout and C stdout at the end of the program and checks that every earlier
/// write to them succeeded. Throws as write_stdout does.
void finish_stdout();

/// The file a write to `path` really replaces: `path` itself, or the final target of the
/// symbolic link(s) it names (a link is never replaced by a file). Relative link targets
/// are taken relative to the link's directory; more than 40 links is an error.
std::filesystem::path link_target(const std::filesystem::path& path);

/// Writes `content` to `path` atomically: a temporary file in the target's directory, then
/// renamed over link_target(path). Throws Error on failure, leaving no partial file.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

/// Throws UsageError unless write_file_atomically(path, ...) can succeed: the name is not
/// empty, the target is a regular file or missing, its directory takes a new file, and the
/// target can be replaced (not immutable or append-only, not another user's file in a
/// sticky directory). Checked before any work.
void check_writable(const std::filesystem::path& path);

/// True when the two paths name the same file (after following links), existing or not.
bool same_target(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace conc_probe
