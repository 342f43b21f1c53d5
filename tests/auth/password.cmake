# Tests of the password library (src/auth/password.cmake). Included from
# tests/auth/CMakeLists.txt.
hippocrate_add_test(auth_password_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/password_blocklist_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/password_hasher_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/password_policy_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/pepper_test.cc
  DEPS hippocrate_auth_password)
