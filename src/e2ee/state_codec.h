// Binary encodings of this device's private protocol state, for the client keystore
// (src/client/keystore.h): device identity, account key, prekey store, sessions.
//
// These encodings are local (never exchanged) and hold private keys: they are written into
// a Writer (wiped buffers) and must only be stored encrypted. Each starts with a format
// byte; readers are strict and fail with e2ee_malformed / e2ee_unknown_version, and derived
// values (public keys, signatures) are recomputed from the private keys, so a stored state
// cannot hold a public key that does not match its private key.
#pragma once

#include <span>

#include "base/result.h"
#include "base/secret_bytes.h"
#include "e2ee/device_list.h"
#include "e2ee/identity.h"
#include "e2ee/prekey_store.h"
#include "e2ee/session.h"
#include "e2ee/wire.h"

namespace hippocrate::e2ee {

void write_device_identity_secret(Writer& w, const DeviceIdentity& identity);
Result<DeviceIdentity> read_device_identity_secret(Reader& r);

void write_account_key_secret(Writer& w, const AccountKey& key);
Result<AccountKey> read_account_key_secret(Reader& r);

void write_prekey_store(Writer& w, const PrekeyStore& store);
// Needs the device identity to recompute the signed prekeys' signatures.
Result<PrekeyStore> read_prekey_store(Reader& r, const DeviceIdentity& device);

void write_session(Writer& w, const Session& session);
Result<Session> read_session(Reader& r);

// A session alone (e.g. for tests and inspection), in SecretBytes.
SecretBytes serialize_session(const Session& session);
Result<Session> parse_session(std::span<const std::uint8_t> bytes);

}  // namespace hippocrate::e2ee
