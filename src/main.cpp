// conc-probe: what machine am I really on, and how do concurrency models behave on it.
#include <csignal>
#include <exception>
#include <iostream>
#include <new>

#include "cli/app.hpp"
#include "conc_probe/error.hpp"
#include "conc_probe/output.hpp"
#include "conc_probe/text.hpp"

namespace {

int fail(const char* message, conc_probe::ExitCode code) {
  std::cerr << "conc-probe: error: " << conc_probe::text::printable(message) << '\n';
  return static_cast<int>(code);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int code = conc_probe::cli::run(argc, argv);
    conc_probe::finish_stdout();
    return code;
  } catch (const conc_probe::ClosedPipe&) {
    std::signal(SIGPIPE, SIG_DFL);  // end as a reader-less writer does, without a message
    std::raise(SIGPIPE);
    return 128 + SIGPIPE;
  } catch (const conc_probe::Error& error) {
    return fail(error.what(), error.code());
  } catch (const std::bad_alloc&) {
    return fail("out of memory (the input is too large for the memory limit)",
                conc_probe::ExitCode::RunFailed);
  } catch (const std::exception& error) {
    return fail(error.what(), conc_probe::ExitCode::RunFailed);
  }
}
