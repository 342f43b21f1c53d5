// WriterGate: holds a store's writer thread inside a write job until release() (or the
// gate's destruction). Writes queued meanwhile run after it, in order, in one group commit:
// tests use it to make "queued while a write is in progress" deterministic.
#pragma once

#include <future>
#include <memory>

#include "store/store.h"

namespace hippocrate::testing {

class WriterGate {
 public:
  // Returns once the writer is inside the gate's job. The job owns what it touches: the
  // gate may be gone by the time it runs on.
  explicit WriterGate(store::Store& store) {
    auto entered = std::make_shared<std::promise<void>>();
    auto in = entered->get_future();
    std::shared_future<void> open = open_.get_future().share();
    store.write_async(
        [entered, open](store::Transaction&) -> Status {
          entered->set_value();
          open.wait();
          return ok_status();
        },
        [](Status) {});
    in.wait();
  }
  ~WriterGate() { release(); }
  WriterGate(const WriterGate&) = delete;
  WriterGate& operator=(const WriterGate&) = delete;

  void release() {
    if (!released_) open_.set_value();
    released_ = true;
  }

 private:
  std::promise<void> open_;
  bool released_ = false;
};

}  // namespace hippocrate::testing
