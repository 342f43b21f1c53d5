# Compile options for the project's own code, and helpers to declare libraries and tests.

add_library(hippocrate_options INTERFACE)
target_compile_options(hippocrate_options INTERFACE -Wall -Wextra -Wpedantic -Werror
                       -Wno-error=deprecated-declarations)
target_include_directories(hippocrate_options INTERFACE ${PROJECT_SOURCE_DIR}/src)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 at -O3 reports -Wrestrict / -Wmaybe-uninitialized from inside libstdc++ inlining
  # (std::string, std::optional) — known false positives. Debug builds (make test) keep
  # them as errors; optimised builds silence them.
  target_compile_options(hippocrate_options INTERFACE
    $<$<NOT:$<CONFIG:Debug>>:-Wno-restrict -Wno-maybe-uninitialized>)
endif()
if(HIPPOCRATE_SANITIZE)
  target_compile_options(hippocrate_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(hippocrate_options INTERFACE -fsanitize=address,undefined)
endif()

# hippocrate_add_library(NAME SOURCES a.cc b.cc DEPS x y)
# A component library: explicit source list, project warnings, its dependencies public.
function(hippocrate_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC hippocrate_options ${ARG_DEPS})
endfunction()

# hippocrate_add_test(NAME SOURCES a_test.cc DEPS lib...)
# One GoogleTest binary; every TEST() inside becomes a CTest test. Tests run with the
# source tree's tests/ folder as HIPPOCRATE_TEST_DATA so they can find vectors.
function(hippocrate_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE hippocrate_options ${ARG_DEPS}
                        GTest::gtest GTest::gmock GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE
    HIPPOCRATE_TEST_DATA="${PROJECT_SOURCE_DIR}/tests"
    HIPPOCRATE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
                       PROPERTIES TIMEOUT 300)
endfunction()
