// How the client core does anything that needs the network or storage, without doing I/O
// itself (sans-I/O, as matrix-sdk-crypto's OlmMachine): an operation is a state machine
// that tells its host what to do next, one Step at a time, and is fed the outcome.
//
//   Step step = op.start();
//   while (step.kind != Step::Kind::kDone) step = op.resume(host_does(step));
//   op.result();
//
// The host (the CLI's HTTPS client and file keystore natively; fetch and IndexedDB in the
// browser through WebAssembly) performs each step in order and answers it:
//   kRequest  send `request` with the session (JSON API); answer the server's JSON object,
//             or its error (the stable code of the error body, e.g. device_list_mismatch);
//   kCommit   store `state` durably (create the store if none exists), then answer ok or
//             the error: a step that follows a commit relies on it (keystore.h: the next
//             session state is stored before its envelopes leave);
//   kRecord   append `records` to the local history (history.h), then answer ok or the
//             error;
//   kPresent  show or hand over what the operation's own accessor holds now (e.g. the
//             notices of undelivered messages, shown before they are acknowledged), answer ok;
//   kDone     nothing more: read the operation's result().
// An operation is used once, by one thread; what a step points to stays valid until the
// next resume. A host that stops midway loses nothing but that operation's progress.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "client/engine/device_setup.h"
#include "client/history.h"
#include "client/keystore.h"

namespace hippocrate::client {

struct Step {
  enum class Kind { kRequest, kCommit, kRecord, kPresent, kDone };
  Kind kind = Kind::kDone;
  ApiRequest request;                   // kRequest
  const KeystoreData* state = nullptr;  // kCommit
  std::vector<HistoryRecord> records;   // kRecord

  static Step ask(ApiRequest request);
  static Step commit(const KeystoreData& state);
  static Step record(std::vector<HistoryRecord> records);
  static Step present();
  static Step done();
};

// The answer to a step: the server's JSON for kRequest, an empty object for the others.
using Answer = Result<boost::json::object>;
Answer answered_ok();

class Operation {
 public:
  virtual ~Operation() = default;
  virtual Step start() = 0;
  // The answer to the step last returned (never called after kDone).
  virtual Step resume(Answer answer) = 0;
};

// An operation whose outcome is a Result<T>, read after kDone.
template <typename T>
class OperationOf : public Operation {
 public:
  Result<T>& result() { return result_; }

 protected:
  Step finish(Result<T> outcome) {
    result_ = std::move(outcome);
    return Step::done();
  }
  // For an operation that runs another inside it (`child`, whose last step is `step`):
  // the child's step while it runs; once it is done, this one's error if it failed, else
  // `then(child's value)`.
  template <typename C, typename Then>
  Step after_child(OperationOf<C>& child, Step step, Then&& then) {
    if (step.kind != Step::Kind::kDone) return step;
    if (!child.result()) return finish(child.result().error());
    return then(*child.result());
  }

 private:
  Result<T> result_ = Error::internal("operation_unfinished", "the operation has not finished");
};

// In an operation's member: finishes with the error of `status_expr` (a Status) if any.
#define HIPPO_FINISH_IF_ERROR(status_expr)                                       \
  do {                                                                           \
    ::hippocrate::Status hippo_finish_status_ = (status_expr);                   \
    if (!hippo_finish_status_.ok()) return finish(hippo_finish_status_.error()); \
  } while (0)

// A host that performs steps synchronously (the CLI). `present` is called for kPresent.
class Host {
 public:
  virtual ~Host() = default;
  virtual Answer perform(const ApiRequest& request) = 0;
  virtual Status store(const KeystoreData& state) = 0;
  virtual Status record(const std::vector<HistoryRecord>& records) = 0;
  virtual Status present() { return ok_status(); }
};

// Runs `op` to its end with `host`: at most kMaxSteps steps (a bound no operation reaches;
// beyond it "operation_runaway").
inline constexpr std::size_t kMaxSteps = 10000;
Status drive(Operation& op, Host& host);

template <typename T>
Result<T> run(OperationOf<T>& op, Host& host) {
  HIPPO_RETURN_IF_ERROR(drive(op, host));
  return std::move(op.result());
}

}  // namespace hippocrate::client
