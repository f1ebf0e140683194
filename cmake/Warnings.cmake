add_library(conc_probe_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(conc_probe_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    $<$<BOOL:${CONC_PROBE_WERROR}>:-Werror>)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports false positives at -O2 on std::optional (maybe-uninitialized) and on
  # `"literal" + std::string` (restrict, GCC bug 105329); with -Werror they would fail
  # optimised builds for code that is correct.
  target_compile_options(conc_probe_warnings INTERFACE -Wno-maybe-uninitialized -Wno-restrict)
endif()

if(CONC_PROBE_SANITIZE)
  add_compile_options(-fsanitize=${CONC_PROBE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${CONC_PROBE_SANITIZE})
endif()
