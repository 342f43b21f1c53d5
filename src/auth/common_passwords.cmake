# Script mode (cmake -DINPUT=<list.txt> -DOUTPUT=<file.cc> -P common_passwords.cmake):
# turns data/common-passwords.txt into a C++ source holding its bytes as an array, so the
# blocklist is part of the binary. Bytes are written as hex, so no character of the list
# (quotes, backslashes, semicolons) needs escaping.
if(NOT INPUT OR NOT OUTPUT)
  message(FATAL_ERROR "usage: cmake -DINPUT=list.txt -DOUTPUT=out.cc -P common_passwords.cmake")
endif()
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
if(hex_length EQUAL 0)
  message(FATAL_ERROR "${INPUT} is empty")
endif()
# 16 bytes per line, each as 0xNN (CMake regexes have no {n} repetition, hence REPEAT).
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REPEAT "0x..," 16 line_pattern)
string(REGEX REPLACE "(${line_pattern})" "\\1\n  " bytes "${bytes}")
string(STRIP "${bytes}" bytes)
file(WRITE "${OUTPUT}.tmp"
"// Generated from data/common-passwords.txt by src/auth/common_passwords.cmake. Do not edit.
#include \"auth/common_passwords.h\"

namespace hippocrate::auth::internal {

const unsigned char kCommonPasswordsData[] = {
  ${bytes}
};
const std::size_t kCommonPasswordsSize = sizeof(kCommonPasswordsData);

}  // namespace hippocrate::auth::internal
")
# Only touch OUTPUT when it changes, so an unchanged list does not trigger a rebuild.
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
