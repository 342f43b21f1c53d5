# Tests of src/auth/factors.cmake's libraries. A fragment for include(); paths are relative to
# this file. The RFC vectors are read with tests/crypto's vector_file (same file format).
hippocrate_add_test(auth_factors_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/base32_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/recovery_codes_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/totp_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/../crypto/vector_file.cc
  DEPS hippocrate_auth_factors)

hippocrate_add_test(terminal_qr_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/../cli/terminal_qr_test.cc
  DEPS hippocrate_terminal_qr)
