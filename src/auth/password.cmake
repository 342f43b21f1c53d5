# Passwords: policy (length, blocklist, personal words, zxcvbn), pepper, Argon2id hasher.
# Included from src/auth/CMakeLists.txt; defines the library hippocrate_auth_password.
# Needs libzxcvbn-dev (Debian package) for zxcvbn.h and libzxcvbn.

# data/common-passwords.txt becomes a generated source holding its bytes (no run-time path).
cmake_path(ABSOLUTE_PATH CMAKE_CURRENT_LIST_DIR NORMALIZE OUTPUT_VARIABLE hippo_pw_src_dir)
cmake_path(APPEND hippo_pw_src_dir ../../data/common-passwords.txt
           OUTPUT_VARIABLE hippo_pw_list)
cmake_path(NORMAL_PATH hippo_pw_list)
set(hippo_pw_generated ${CMAKE_CURRENT_BINARY_DIR}/generated/auth/common_passwords_data.cc)
add_custom_command(
  OUTPUT ${hippo_pw_generated}
  COMMAND ${CMAKE_COMMAND} -DINPUT=${hippo_pw_list} -DOUTPUT=${hippo_pw_generated}
          -P ${hippo_pw_src_dir}/common_passwords.cmake
  DEPENDS ${hippo_pw_list} ${hippo_pw_src_dir}/common_passwords.cmake
  COMMENT "Embedding data/common-passwords.txt"
  VERBATIM)

hippocrate_add_library(hippocrate_auth_password
  SOURCES
    ${hippo_pw_src_dir}/common_passwords.cc
    ${hippo_pw_src_dir}/password_hasher.cc
    ${hippo_pw_src_dir}/password_policy.cc
    ${hippo_pw_src_dir}/pepper.cc
    ${hippo_pw_generated}
  DEPS hippocrate_base hippocrate_crypto zxcvbn m)
