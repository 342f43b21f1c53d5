#include "base/handoff_batch.h"

#include <memory>

namespace hippocrate {
namespace {

thread_local HandoffBatch* open_batch = nullptr;

}  // namespace

HandoffBatch::HandoffBatch() : outermost_(open_batch == nullptr) {
  if (outermost_) open_batch = this;
}

HandoffBatch::~HandoffBatch() {
  if (!outermost_) return;
  open_batch = nullptr;  // what the posts run is not deferred any more
  for (auto& group : groups_) {
    auto fns = std::make_shared<std::vector<Fn>>(std::move(group.fns));
    group.post([fns] {
      for (auto& fn : *fns) fn();
    });
  }
}

bool HandoffBatch::open() { return open_batch != nullptr; }

bool HandoffBatch::defer(const void* group, const Post& post, Fn& fn) {
  HandoffBatch* batch = open_batch;
  if (batch == nullptr) return false;
  Group* target = nullptr;
  for (auto& g : batch->groups_) {
    if (g.key == group) target = &g;
  }
  if (target == nullptr) target = &batch->groups_.emplace_back(Group{group, post, {}});
  target->fns.push_back(std::move(fn));
  fn = nullptr;
  return true;
}

}  // namespace hippocrate
