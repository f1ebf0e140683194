add_library(conc_probe_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(conc_probe_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    $<$<BOOL:${CONC_PROBE_WERROR}>:-Werror>)
endif()

if(CONC_PROBE_SANITIZE)
  add_compile_options(-fsanitize=${CONC_PROBE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${CONC_PROBE_SANITIZE})
endif()
