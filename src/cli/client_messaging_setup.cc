// Messenger: the keystore of the profile (lock, open, create), this device's registration
// (first device, pairing) and its prekeys. See client_messaging.h.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <thread>

#include "base/clock.h"
#include "base/ids.h"
#include "cli/client_messaging.h"
#include "cli/client_recovery.h"
#include "cli/output.h"
#include "client/engine/device_setup.h"
#include "client/engine/set_up.h"
#include "e2ee/prekey_store.h"

namespace hippocrate::cli {

namespace json = boost::json;

// An exclusive flock on PROFILE/keystore.lock (released by close).
class KeystoreLock {
 public:
  static Result<std::unique_ptr<KeystoreLock>> acquire(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return Error::internal("keystore_lock_failed", "cannot open " + file.string());
    }
    // Another command of this profile holds it for at most a few requests.
    for (int i = 0; i < 300; ++i) {
      if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
        return std::unique_ptr<KeystoreLock>(new KeystoreLock(fd));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::close(fd);
    return Error::unavailable("keystore_busy",
                              "another hippocrate command of this profile holds the keystore");
  }
  ~KeystoreLock() { ::close(fd_); }
  KeystoreLock(const KeystoreLock&) = delete;
  KeystoreLock& operator=(const KeystoreLock&) = delete;

 private:
  explicit KeystoreLock(int fd) : fd_(fd) {}
  int fd_;
};

namespace {

// A new keystore: sealed with $HIPPOCRATE_KEYSTORE_PASSPHRASE when set, else a key file.
// An existing one: with its key file when it has one, else the passphrase (a keystore
// made with a passphrase then says keystore_needs_passphrase when it is not set).
client::KeystoreUnlock unlock_method(const std::filesystem::path& keystore = {}) {
  std::error_code ec;
  if (!keystore.empty() && std::filesystem::exists(client::Keystore::key_file_path(keystore), ec)) {
    return client::KeystoreUnlock::key_file();
  }
  const char* passphrase = std::getenv("HIPPOCRATE_KEYSTORE_PASSPHRASE");
  if (passphrase != nullptr && *passphrase != '\0') {
    return client::KeystoreUnlock::passphrase(SecretBytes::from(std::string_view(passphrase)));
  }
  return client::KeystoreUnlock::key_file();
}

}  // namespace

std::filesystem::path keystore_path(const Profile& profile) { return profile.dir() / "keystore"; }

void print_warnings(const std::vector<std::string>& warnings) {
  std::set<std::string> printed;  // the same warning once per command
  for (const auto& w : warnings) {
    if (printed.insert(w).second) std::fprintf(stderr, "hippocrate: WARNING: %s\n", w.c_str());
  }
}

Messenger::Messenger(ClientContext& context, SecretBytes token, AccountInfo me)
    : context_(context), token_(std::move(token)), engine_(std::move(me), std::nullopt) {}
Messenger::~Messenger() = default;

client::Answer Messenger::perform(const client::ApiRequest& request) {
  return context_.call(request.method, request.path,
                       request.method == "GET"
                           ? SecretBytes()
                           : SecretBytes::from(std::string_view(json::serialize(request.body))),
                       &token_);
}

Status Messenger::store(const client::KeystoreData& state) {
  if (!keystore_) {
    // The first device: the keystore is created with its state (0600, sealed).
    HIPPO_ASSIGN_OR_RETURN(
        client::Keystore ks,
        client::Keystore::create(keystore_path(context_.profile()), unlock_method(), state));
    keystore_.emplace(std::move(ks));
    return ok_status();
  }
  return keystore_->commit(state);
}

Status Messenger::present() {
  // A copy: the callback may run another operation, which sets present_ meanwhile.
  const std::function<Status()> present = present_;
  return present ? present() : ok_status();
}

Result<std::unique_ptr<Messenger>> Messenger::open(ClientContext& context, Setup setup) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(json::object answer, context.call("GET", "/api/v1/me", {}, &token));
  const auto& account = json_object(answer, "account");
  AccountInfo me{json_string(account, "id"), json_string(account, "email"),
                 json_string(account, "display_name"), json_string(account, "role")};
  if (!is_valid_id(me.account_id)) {
    return Error::internal("unexpected_response", "the server did not say who you are");
  }
  std::unique_ptr<Messenger> m(new Messenger(context, std::move(token), std::move(me)));
  HIPPO_ASSIGN_OR_RETURN(m->lock_,
                         KeystoreLock::acquire(context.profile().dir() / "keystore.lock"));
  HIPPO_RETURN_IF_ERROR(m->load_keystore());
  if (setup == Setup::kPairing) return m;
  HIPPO_RETURN_IF_ERROR(m->set_up());
  return m;
}

Status Messenger::set_up() {
  client::SetUpDevice op(engine_);
  auto ready = run(op);
  if (!ready) {
    if (ready.error().code() != "device_not_paired") return ready.error();
    // The CLI's way out of each case.
    return Error::failed_precondition(
        "device_not_paired",
        has_keystore()
            ? "this device is waiting to be paired: run `hippocrate devices add` here and "
              "follow it"
            : "your account already has messaging devices: pair this one with `hippocrate "
              "devices add` (then approve it on a device that holds your account key), or, "
              "if you lost all of them, restore your account key here with `hippocrate "
              "restore` and your recovery key");
  }
  if (ready->first_device) set_up_recovery_key(*this);  // shown once (client_recovery.h)
  std::vector<std::string> notices;
  for (const auto& [id, registered_at] : ready->devices_added) {
    std::string notice = "A DEVICE WAS ADDED TO YOUR ACCOUNT: ";
    notice.append(id)
        .append(" (registered ")
        .append(format_time(registered_at))
        .append(
            "). It receives your messages from now on. If you did not add it, revoke it on your "
            "first device (hippocrate devices revoke ")
        .append(id)
        .append(") and tell your administrator");
    notices.push_back(std::move(notice));
  }
  for (const auto& id : ready->devices_removed) {
    notices.push_back("the device " + id +
                      " was removed from your account: it receives nothing new");
  }
  print_warnings(notices);
  return ok_status();
}

Status Messenger::load_keystore() {
  const auto file = keystore_path(context_.profile());
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    keystore_.reset();
    engine_.reload(std::nullopt);
    return ok_status();
  }
  HIPPO_ASSIGN_OR_RETURN(client::Keystore ks, client::Keystore::open(file, unlock_method(file)));
  if (ks.data().device.pub.account_id != me().account_id) {
    return Error::failed_precondition(
        "keystore_other_account",
        "the keystore of this profile belongs to another account; use another --profile");
  }
  keystore_.emplace(std::move(ks));
  engine_.reload(keystore_->data());
  return ok_status();
}

Status Messenger::commit(client::KeystoreData next) {
  HIPPO_RETURN_IF_ERROR(store(next));
  engine_.reload(std::move(next));
  return ok_status();
}

void Messenger::unlock() { lock_.reset(); }

Status Messenger::relock() {
  HIPPO_ASSIGN_OR_RETURN(lock_, KeystoreLock::acquire(context_.profile().dir() / "keystore.lock"));
  return load_keystore();
}

}  // namespace hippocrate::cli
