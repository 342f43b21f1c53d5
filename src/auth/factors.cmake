# Second factors (TOTP, recovery codes) and the terminal QR renderer used to enrol them.
# A fragment for include() from the lead's CMakeLists (after hippocrate_base and
# hippocrate_crypto exist); paths are relative to this file, not to the includer.
hippocrate_add_library(hippocrate_auth_factors
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/base32.cc
    ${CMAKE_CURRENT_LIST_DIR}/recovery_codes.cc
    ${CMAKE_CURRENT_LIST_DIR}/totp.cc
  # OpenSSL only for HMAC-SHA-1 (TOTP, RFC 6238), which libsodium lacks.
  DEPS hippocrate_base hippocrate_crypto OpenSSL::Crypto)

hippocrate_add_library(hippocrate_terminal_qr
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/../cli/terminal_qr.cc
  DEPS hippocrate_base PkgConfig::QRENCODE)
