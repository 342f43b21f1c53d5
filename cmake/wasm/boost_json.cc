// The wasm build's Boost.JSON (cmake/HippocrateWasm.cmake, target Boost::json): Debian's
// headers, compiled once here for wasm32, instead of the native build's libboost_json.
#include <boost/json/src.hpp>
