#include "client/engine/operation.h"

namespace hippocrate::client {

Step Step::ask(ApiRequest request) {
  Step s;
  s.kind = Kind::kRequest;
  s.request = std::move(request);
  return s;
}

Step Step::commit(const KeystoreData& state) {
  Step s;
  s.kind = Kind::kCommit;
  s.state = &state;
  return s;
}

Step Step::record(std::vector<HistoryRecord> records) {
  Step s;
  s.kind = Kind::kRecord;
  s.records = std::move(records);
  return s;
}

Step Step::present() {
  Step s;
  s.kind = Kind::kPresent;
  return s;
}

Step Step::done() { return Step{}; }

Answer answered_ok() { return boost::json::object{}; }

namespace {

Answer answer_of(const Status& status) {
  if (!status.ok()) return status.error();
  return answered_ok();
}

}  // namespace

Status drive(Operation& op, Host& host) {
  Step step = op.start();
  for (std::size_t i = 0; i < kMaxSteps; ++i) {
    switch (step.kind) {
      case Step::Kind::kDone: return ok_status();
      case Step::Kind::kRequest: step = op.resume(host.perform(step.request)); break;
      case Step::Kind::kCommit: step = op.resume(answer_of(host.store(*step.state))); break;
      case Step::Kind::kRecord: step = op.resume(answer_of(host.record(step.records))); break;
      case Step::Kind::kPresent: step = op.resume(answer_of(host.present())); break;
    }
  }
  return Error::internal("operation_runaway", "a client operation did not finish");
}

}  // namespace hippocrate::client
