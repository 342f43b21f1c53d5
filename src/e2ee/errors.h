// The stable error codes of the e2ee component (docs/protocol.md §9), as named factories so
// every failure of one kind carries the same code. Messages are plain words with no key
// material and no plaintext; they may be shown to the user.
#pragma once

#include <string>

#include "base/error.h"

namespace hippocrate::e2ee::errors {

Error malformed(const std::string& what);        // e2ee_malformed (invalid_argument)
Error unknown_version(const std::string& what);  // e2ee_unknown_version (invalid_argument)
Error too_large(const std::string& what);        // e2ee_too_large (resource_exhausted)
Error bad_signature(const std::string& what);    // e2ee_bad_signature (invalid_argument)
Error account_mismatch();                        // e2ee_account_mismatch (invalid_argument)
Error stale_device_list();                       // e2ee_stale_device_list (failed_precondition)
Error unknown_device();                          // e2ee_unknown_device (not_found)
Error identity_mismatch();                       // e2ee_identity_mismatch (failed_precondition)
Error device_not_listed();                       // e2ee_device_not_listed (failed_precondition)
Error stale_prekey();                            // e2ee_stale_prekey (failed_precondition)
Error unknown_prekey();                          // e2ee_unknown_prekey (not_found)
Error bad_key(const std::string& what);          // e2ee_bad_key (invalid_argument)
Error no_session();                              // e2ee_no_session (failed_precondition)
Error decrypt_failed();                          // e2ee_decrypt_failed (invalid_argument)
Error replay();                                  // e2ee_replay (conflict)
Error too_many_skipped();                        // e2ee_too_many_skipped (resource_exhausted)
Error sender_mismatch();                         // e2ee_sender_mismatch (invalid_argument)
Error missing_bundle();                          // e2ee_missing_bundle (failed_precondition)
Error safety_number_mismatch();                  // e2ee_safety_number_mismatch (invalid_argument)

}  // namespace hippocrate::e2ee::errors
