#include "e2ee/errors.h"

namespace hippocrate::e2ee::errors {

Error malformed(const std::string& what) {
  return Error::invalid_argument("e2ee_malformed", "malformed " + what);
}
Error unknown_version(const std::string& what) {
  return Error::invalid_argument("e2ee_unknown_version",
                                 "unsupported version or format of " + what);
}
Error too_large(const std::string& what) {
  return Error::resource_exhausted("e2ee_too_large", what + " is too large");
}
Error bad_signature(const std::string& what) {
  return Error::invalid_argument("e2ee_bad_signature",
                                 "the signature of " + what + " does not verify");
}
Error account_mismatch() {
  return Error::invalid_argument("e2ee_account_mismatch",
                                 "the data belongs to another account than expected");
}
Error stale_device_list() {
  return Error::failed_precondition("e2ee_stale_device_list",
                                    "the device list is older than one already accepted");
}
Error unknown_device() {
  return Error::not_found("e2ee_unknown_device",
                          "the device is not in the account's verified device list");
}
Error identity_mismatch() {
  return Error::failed_precondition("e2ee_identity_mismatch",
                                    "the device's keys differ from its verified device-list entry");
}
Error device_not_listed() {
  return Error::failed_precondition("e2ee_device_not_listed",
                                    "this device is not in its account's current device list");
}
Error stale_prekey() {
  return Error::failed_precondition("e2ee_stale_prekey",
                                    "the signed prekey is too old or from the future");
}
Error unknown_prekey() {
  return Error::not_found("e2ee_unknown_prekey",
                          "the message refers to a prekey this device does not hold");
}
Error bad_key(const std::string& what) {
  return Error::invalid_argument("e2ee_bad_key", "unusable " + what);
}
Error no_session() {
  return Error::failed_precondition("e2ee_no_session", "no session with this device");
}
Error decrypt_failed() {
  return Error::invalid_argument("e2ee_decrypt_failed",
                                 "the message could not be authenticated and was rejected");
}
Error replay() { return Error::conflict("e2ee_replay", "the message was already received"); }
Error too_many_skipped() {
  return Error::resource_exhausted("e2ee_too_many_skipped",
                                   "the message is too far ahead of the session (skip limit)");
}
Error sender_mismatch() {
  return Error::invalid_argument("e2ee_sender_mismatch",
                                 "the message names another sender than its session");
}
Error missing_bundle() {
  return Error::failed_precondition("e2ee_missing_bundle",
                                    "a prekey bundle is needed for a device without session");
}
Error safety_number_mismatch() {
  return Error::invalid_argument("e2ee_safety_number_mismatch",
                                 "the scanned code does not match this conversation");
}

}  // namespace hippocrate::e2ee::errors
