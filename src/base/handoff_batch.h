// HandoffBatch: coalesces the hand-offs one thread makes to other threads while it finishes
// a batch of work, so that each receiving thread is woken once per batch rather than once
// per hand-off.
//
// Why: the store's writer thread completes a group commit's jobs one after another, and
// each completion may queue a frame for a connection owned by a network thread. Posting
// each frame wakes that thread; when the writer runs under SCHED_IDLE (docs/storage.md), a
// woken network thread preempts it at once, so a batch of N completions cost N context
// switches each way. Inside a HandoffBatch the frames are collected per receiving thread
// and posted as one function when the batch ends.
//
// Contract: a HandoffBatch is a scope on one thread. While one is open on the calling
// thread, defer() takes `fn` (leaving it empty), records it under `group` and returns
// true; the outermost scope's
// destructor then calls, for each group in the order it was first used, that group's
// `post` once with a function running the group's fns in the order they were deferred.
// With no open scope defer() leaves `fn` as it was and returns false: the caller posts it
// as usual.
// Nested scopes join the outermost one. `post` and the fns must not throw.
#pragma once

#include <functional>
#include <vector>

namespace hippocrate {

class HandoffBatch {
 public:
  using Fn = std::function<void()>;
  using Post = std::function<void(Fn)>;

  HandoffBatch();
  ~HandoffBatch();
  HandoffBatch(const HandoffBatch&) = delete;
  HandoffBatch& operator=(const HandoffBatch&) = delete;

  static bool defer(const void* group, const Post& post, Fn& fn);
  // Whether a batch is open on the calling thread: a cheap check before building what
  // defer() takes (a hot path without a batch then posts its own callable as before).
  static bool open();

 private:
  struct Group {
    const void* key;
    Post post;
    std::vector<Fn> fns;
  };
  bool outermost_;
  std::vector<Group> groups_;  // few: one per receiving thread
};

}  // namespace hippocrate
