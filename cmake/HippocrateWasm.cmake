# The WebAssembly build (HIPPOCRATE_WASM=ON): src/base (what does not need threads or the
# scheduler), src/crypto, src/e2ee, the client keystore and the client core (src/client
# without the HTTPS client) and their tests, compiled by Debian's Emscripten and run under
# Node. scripts/wasm-test.sh configures it in build/wasm; see docs/contributing.md.
# Nothing here is used by the native build.
#
# Inputs: HIPPOCRATE_WASM_SODIUM_DIR, libsodium built for wasm32 (scripts/wasm-libsodium.sh);
# HIPPOCRATE_EM_CONFIG, the Emscripten config the build uses (scripts/wasm-env.sh).

if(NOT EMSCRIPTEN)
  message(FATAL_ERROR "HIPPOCRATE_WASM=ON needs the Emscripten toolchain: run scripts/wasm-test.sh "
          "(or configure with -DCMAKE_TOOLCHAIN_FILE=/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake)")
endif()

set(HIPPOCRATE_WASM_SODIUM_DIR "${CMAKE_BINARY_DIR}/libsodium/install" CACHE PATH
    "libsodium for wasm32: a prefix with include/sodium.h and lib/libsodium.a")
if(NOT EXISTS "${HIPPOCRATE_WASM_SODIUM_DIR}/lib/libsodium.a"
   OR NOT EXISTS "${HIPPOCRATE_WASM_SODIUM_DIR}/include/sodium.h")
  message(FATAL_ERROR "no wasm32 libsodium in ${HIPPOCRATE_WASM_SODIUM_DIR}: "
          "run scripts/wasm-libsodium.sh ${CMAKE_BINARY_DIR}")
endif()
# The same target name the native build gets from pkg-config, so the components' DEPS hold.
add_library(PkgConfig::SODIUM STATIC IMPORTED)
set_target_properties(PkgConfig::SODIUM PROPERTIES
  IMPORTED_LOCATION "${HIPPOCRATE_WASM_SODIUM_DIR}/lib/libsodium.a"
  INTERFACE_INCLUDE_DIRECTORIES "${HIPPOCRATE_WASM_SODIUM_DIR}/include")

# emcc needs Debian's node-acorn (NODE_PATH) and the private config at build time too, so
# that `ninja -C build/wasm` works outside scripts/wasm-test.sh. ccache runs inside emcc
# (COMPILER_WRAPPER in that config), around clang, instead of around em++.
set(HIPPOCRATE_EM_CONFIG "$ENV{EM_CONFIG}" CACHE FILEPATH "Emscripten config file (EM_CONFIG)")
set(_hippocrate_em_env ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
if(HIPPOCRATE_EM_CONFIG)
  list(APPEND _hippocrate_em_env EM_CONFIG=${HIPPOCRATE_EM_CONFIG})
endif()
set(CMAKE_CXX_COMPILER_LAUNCHER ${_hippocrate_em_env})
set(CMAKE_CXX_LINKER_LAUNCHER ${_hippocrate_em_env})

# C++ exceptions on (gtest, EXPECT_THROW, the vector-file parser); Emscripten's default only
# aborts on a throw. Tests run under Node with the real filesystem (NODERAWFS: the vectors in
# tests/vectors are read as natively), synchronous instantiation (no fetch() of the .wasm),
# and a growable heap: sodium_malloc costs ~320 KiB per secret in wasm, Argon2id tens of MiB.
add_compile_options(-fexceptions)
add_link_options(-fexceptions -sENVIRONMENT=node -sNODERAWFS=1 -sWASM_ASYNC_COMPILATION=0
                 -sEXIT_RUNTIME=1 -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=2GB)

# Boost.JSON (the client core, the vector files) compiled for wasm32 from Debian's headers:
# only the Boost folder is made visible (a folder in the build tree holding a link to
# /usr/include/boost), never the rest of /usr/include, whose glibc headers would shadow
# Emscripten's libc. Its sources are compiled once (cmake/wasm/boost_json.cc includes
# boost/json/src.hpp), without the project's warnings; the same target name as natively.
if(NOT EXISTS /usr/include/boost/json/src.hpp)
  message(FATAL_ERROR "Boost.JSON headers missing in /usr/include/boost: run scripts/install-deps.sh")
endif()
set(_hippocrate_boost_include "${CMAKE_BINARY_DIR}/boost-include")
file(MAKE_DIRECTORY "${_hippocrate_boost_include}")
if(NOT IS_SYMLINK "${_hippocrate_boost_include}/boost")
  file(CREATE_LINK /usr/include/boost "${_hippocrate_boost_include}/boost" SYMBOLIC)
endif()
add_library(hippocrate_wasm_boost_json STATIC ${CMAKE_CURRENT_LIST_DIR}/wasm/boost_json.cc)
target_include_directories(hippocrate_wasm_boost_json SYSTEM PUBLIC "${_hippocrate_boost_include}")
add_library(Boost::json ALIAS hippocrate_wasm_boost_json)

# GoogleTest compiled for wasm32 from Debian's source (package googletest), without threads.
if(NOT EXISTS /usr/src/googletest/CMakeLists.txt)
  message(FATAL_ERROR "GoogleTest sources missing in /usr/src/googletest: run scripts/install-deps.sh")
endif()
set(gtest_disable_pthreads ON CACHE BOOL "" FORCE)
set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
set(BUILD_GMOCK ON CACHE BOOL "" FORCE)
add_subdirectory(/usr/src/googletest ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL SYSTEM)
foreach(lib gtest gmock gtest_main)  # GoogleTest 1.12 declares these aliases itself
  if(NOT TARGET GTest::${lib})
    add_library(GTest::${lib} ALIAS ${lib})
  endif()
endforeach()
include(GoogleTest)

# hippocrate_wasm_drop_sources(TARGET a.cc b.cc): leaves files that need the OS beyond files
# out of a component declared for both builds (its own CMakeLists keeps the native list).
function(hippocrate_wasm_drop_sources target)
  get_target_property(sources ${target} SOURCES)
  foreach(file IN LISTS ARGN)
    if(NOT file IN_LIST sources)
      message(FATAL_ERROR "hippocrate_wasm_drop_sources: ${file} is not a source of ${target}")
    endif()
  endforeach()
  list(REMOVE_ITEM sources ${ARGN})
  set_property(TARGET ${target} PROPERTY SOURCES ${sources})
endfunction()
