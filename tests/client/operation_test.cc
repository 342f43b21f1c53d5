// The client core's operations (src/client/engine/operation.h and the operations on it)
// driven by a scripted host: every step the core asks for is recorded in order, and the
// server's answers are written by hand — including those a real server will not give on
// demand (a device list that changes between the read and the send, twice; a reply lost
// after the server stored the send; a commit that fails). engine_server_test.cc runs the
// same operations against the real server.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <deque>
#include <functional>

#include "base/encoding.h"
#include "base/ids.h"
#include "client/engine/contacts.h"
#include "client/engine/device_setup.h"
#include "client/engine/engine.h"
#include "client/engine/inbox.h"
#include "client/engine/receive_batch.h"
#include "client/engine/send_text.h"
#include "client/engine/set_up.h"
#include "client/engine/undelivered.h"
#include "e2ee/identity.h"
#include "e2ee/prekeys.h"
#include "e2ee/wire.h"

namespace hippocrate::client {
namespace {

namespace json = boost::json;

// A host that answers requests with a function of the request (the "server"), stores
// commits, keeps records, and writes down every step as "METHOD PATH", "commit", "record
// N" or "present".
class ScriptedHost final : public Host {
 public:
  std::function<Answer(const ApiRequest&)> server;
  std::vector<std::string> steps;
  std::vector<ApiRequest> requests;
  std::optional<KeystoreData> stored;
  std::vector<HistoryRecord> history;
  std::function<Status()> on_present;
  std::optional<Error> fail_commit;  // the next commit fails with it

  Answer perform(const ApiRequest& request) override {
    steps.push_back(request.method + " " + request.path);
    requests.push_back(request);
    return server(request);
  }
  Status store(const KeystoreData& state) override {
    steps.push_back("commit");
    if (fail_commit) {
      Error e = *fail_commit;
      fail_commit.reset();
      return e;
    }
    stored = state;
    return ok_status();
  }
  Status record(const std::vector<HistoryRecord>& records) override {
    steps.push_back("record " + std::to_string(records.size()));
    history.insert(history.end(), records.begin(), records.end());
    return ok_status();
  }
  Status present() override {
    steps.push_back("present");
    return on_present ? on_present() : ok_status();
  }
};

std::vector<std::string> paths_of(const std::vector<std::string>& steps) { return steps; }

TEST(OperationTest, AFirstDeviceIsStoredBeforeAnyOfItsKeysIsUploaded) {
  const std::string account = random_id();
  Engine engine(AccountInfo{account, "p@example.org", "P", "patient"}, std::nullopt);
  ScriptedHost host;
  json::object registered;
  host.server = [&](const ApiRequest& r) -> Answer {
    if (r.method == "GET" && r.path == "/api/v1/me/devices") {
      if (registered.empty()) return json::object{{"device_list_version", 0}, {"devices", json::array{}}};
      return json::object{{"device_list", registered.at("device_list")},
                          {"device_list_version", registered.at("device_list_version")},
                          {"devices", json::array{json::object{{"device_id", engine.device_id()},
                                                               {"registered_at", 1},
                                                               {"revoked_at", nullptr}}}}};
    }
    if (r.method == "PUT" && r.path == "/api/v1/devices/" + engine.device_id()) {
      registered = r.body;
      return json::object{};
    }
    if (r.path.ends_with("/prekeys/count")) return json::object{{"one_time_prekeys", 0}};
    if (r.path.ends_with("/prekeys")) return json::object{};
    return Error::not_found("route_not_found", r.path);
  };
  SetUpDevice op(engine);
  auto ready = run(op, host);
  ASSERT_TRUE(ready.ok()) << ready.error().code();
  EXPECT_TRUE(ready->first_device);
  EXPECT_TRUE(ready->devices_added.empty());
  ASSERT_TRUE(engine.has_state());
  EXPECT_TRUE(engine.paired());
  EXPECT_FALSE(engine.device_id().empty());
  ASSERT_TRUE(host.stored.has_value());
  EXPECT_EQ(host.stored->device.pub.device_id, engine.device_id());
  const std::string dev = "/api/v1/devices/" + engine.device_id();
  EXPECT_EQ(paths_of(host.steps),
            (std::vector<std::string>{"GET /api/v1/me/devices", "commit", "commit", "PUT " + dev,
                                      "GET " + dev + "/prekeys/count", "commit",
                                      "PUT " + dev + "/prekeys", "GET /api/v1/me/devices"}));
}

}  // namespace
}  // namespace hippocrate::client
