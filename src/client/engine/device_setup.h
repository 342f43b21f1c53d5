// This device's keys on the server (docs/protocol.md §2): the signed own device list to
// publish (first registration, a re-registration, pairing approval, revocation) and the
// prekeys to upload when the server runs low (§2.4). Pure: each function returns the
// keystore state to commit FIRST (no public key reaches the server without its secret
// half stored) and the request to send after.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "client/keystore.h"
#include "e2ee/device_list.h"
#include "e2ee/prekey_store.h"

namespace hippocrate::client {

// One request of the client core, for the host to send (with the session) after it
// committed the state that goes with it.
struct ApiRequest {
  std::string method;
  std::string path;
  boost::json::object body;
};

struct StateAndRequest {
  KeystoreData next;  // commit first
  ApiRequest request;
};

// The keystore of a first device: a new account key (this device holds its secret) and a
// new device identity, its own devices being itself.
Result<KeystoreData> first_device_state(const std::string& account_id);

// Signs a new own device list naming `devices` (plus `added`, registered with PUT
// /api/v1/devices/{id} when given; else PUT /api/v1/me/device-list), one version after
// the newer of the server's (`server_version`) and the last this device saw.
// "account_key_missing" when this device does not hold the account key.
Result<StateAndRequest> sign_own_list(const KeystoreData& data, std::int64_t server_version,
                                      const std::vector<e2ee::DevicePublicIdentity>& devices,
                                      const e2ee::DevicePublicIdentity* added,
                                      std::uint64_t now_seconds);

// From the server's prekey count (GET /api/v1/devices/{id}/prekeys/count): the prekeys to
// make and upload (PUT /api/v1/devices/{id}/prekeys), or nullopt when none are needed.
Result<std::optional<StateAndRequest>> plan_prekey_upload(const KeystoreData& data,
                                                          const boost::json::object& count,
                                                          std::uint64_t now_seconds,
                                                          e2ee::KeySource& keys);

// Whether the own listing (GET /api/v1/me/devices) shows this device: "registered",
// "revoked" or "absent" (an interrupted first registration: register it again).
enum class Registration { kRegistered, kRevoked, kAbsent };
Registration registration_of(const KeystoreData& data, const boost::json::object& own_listing);

}  // namespace hippocrate::client
