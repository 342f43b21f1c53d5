// Sending (docs/protocol.md §3, docs/messaging.md "Send"): the prekey bundles to claim for
// the devices without a session, and the fan-out of one text message to the exact device
// set of the recipient's and one's own verified lists, as the body of POST /api/v1/messages.
// Pure: the caller fetched the lists and the bundles, commits the new sessions BEFORE the
// envelopes leave (keystore.h), and on 409 device_list_mismatch verifies both lists again
// and encrypts once more with the same message id (the server stored nothing).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "client/keystore.h"
#include "e2ee/fan_out.h"
#include "e2ee/message_content.h"

namespace hippocrate::client {

// The content type of a text message.
inline constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";

// "message_too_large" when `text` exceeds e2ee::kMaxBodyBytes.
Status check_text_size(std::string_view text);

// Per account, the devices of `lists` that need a bundle (POST
// /api/v1/accounts/{account}/prekey-bundles with {"device_ids": [...]}).
std::map<std::string, std::vector<std::string>> bundles_to_claim(
    const KeystoreData& data, const std::vector<e2ee::DeviceList>& lists);

// Adds the bundles of a claim's answer ({"bundles": [...]}) for `account`. A bundle that
// does not decode is left out (fan_out then reports that device as e2ee_missing_bundle);
// a bundle is used only for the device its identity names, and fan_out checks that
// identity against the verified list (a substituted bundle is refused there).
void add_claimed_bundles(const std::string& account, const boost::json::object& answer,
                         e2ee::BundleMap& bundles);

struct OutgoingMessage {
  e2ee::SessionMap sessions;  // to commit before sending
  boost::json::object body;   // POST /api/v1/messages
  std::size_t envelopes = 0;
  e2ee::MessageContent content;
};

// Encrypts `text` from this device for every device of `lists` (one's own current list
// first, then the recipient's unless it is oneself) and builds the request body.
// "no_recipient_devices" when there is no device to send to.
Result<OutgoingMessage> encrypt_text(const KeystoreData& data,
                                     const std::vector<e2ee::DeviceList>& lists,
                                     const e2ee::BundleMap& bundles, const std::string& message_id,
                                     const std::string& recipient, std::string_view text,
                                     std::uint64_t now_millis, std::uint64_t now_seconds,
                                     e2ee::KeySource& keys = e2ee::system_key_source());

}  // namespace hippocrate::client
