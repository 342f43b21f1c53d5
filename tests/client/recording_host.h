// A synchronous host for the client core's operations in tests (client/engine/operation.h)
// that writes every step down, in order — "METHOD PATH", "commit", "record N", "present" —
// keeps the last commit (the "keystore file") and the records (the "history"), and lets a
// test fail the next commit. Subclasses answer the requests: a hand-written server
// (operation_test.cc) or the real one over HTTPS (engine_server_test.cc).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "client/engine/operation.h"

namespace hippocrate::client {

class RecordingHost : public Host {
 public:
  std::vector<std::string> steps;
  std::vector<ApiRequest> requests;  // every request performed
  std::optional<KeystoreData> stored;
  std::vector<HistoryRecord> history;
  std::function<Status()> on_present;
  std::optional<Error> fail_commit;  // the next commit fails with it

  Answer perform(const ApiRequest& request) final {
    steps.push_back(request.method + " " + request.path);
    requests.push_back(request);
    return answer(request);
  }
  Status store(const KeystoreData& state) final {
    steps.push_back("commit");
    if (fail_commit) {
      Error e = *fail_commit;
      fail_commit.reset();
      return e;
    }
    stored = state;
    return ok_status();
  }
  Status record(const std::vector<HistoryRecord>& records) final {
    steps.push_back("record " + std::to_string(records.size()));
    history.insert(history.end(), records.begin(), records.end());
    return ok_status();
  }
  Status present() final {
    steps.push_back("present");
    return on_present ? on_present() : ok_status();
  }

 protected:
  virtual Answer answer(const ApiRequest& request) = 0;
};

}  // namespace hippocrate::client
