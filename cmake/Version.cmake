# The version and the git revision the binary is built from, both fixed at configure time.
execute_process(COMMAND git rev-parse --short=12 HEAD
                WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
                OUTPUT_VARIABLE CONC_PROBE_GIT_REV OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET RESULT_VARIABLE git_result)
if(NOT git_result EQUAL 0 OR CONC_PROBE_GIT_REV STREQUAL "")
  set(CONC_PROBE_GIT_REV "unknown")
endif()
set(CONC_PROBE_BUILD_TYPE "${CMAKE_BUILD_TYPE}")
if(CONC_PROBE_SANITIZE)
  set(CONC_PROBE_BUILD_TYPE "${CMAKE_BUILD_TYPE}+${CONC_PROBE_SANITIZE}")
endif()
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/build_info.cpp.in
               ${CMAKE_CURRENT_BINARY_DIR}/generated/build_info.cpp @ONLY)
add_library(conc_probe_version STATIC ${CMAKE_CURRENT_BINARY_DIR}/generated/build_info.cpp)
target_include_directories(conc_probe_version PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
