// conc-probe: what machine am I really on, and how do concurrency models behave on it.
#include <exception>
#include <iostream>

#include "cli/app.hpp"
#include "conc_probe/error.hpp"

int main(int argc, char** argv) {
  try {
    return conc_probe::cli::run(argc, argv);
  } catch (const conc_probe::Error& error) {
    std::cerr << "conc-probe: error: " << error.what() << '\n';
    return static_cast<int>(error.code());
  } catch (const std::exception& error) {
    std::cerr << "conc-probe: error: " << error.what() << '\n';
    return static_cast<int>(conc_probe::ExitCode::RunFailed);
  }
}
