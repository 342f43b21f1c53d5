#include "base/handoff_batch.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hippocrate {
namespace {

// defer() with a function made on the spot.
bool defer(const void* group, const HandoffBatch::Post& post, HandoffBatch::Fn fn) {
  return HandoffBatch::defer(group, post, fn);
}

// A fake receiving thread: what is posted to it waits in `posted` until run.
struct Receiver {
  std::vector<HandoffBatch::Fn> posted;
  HandoffBatch::Post post() {
    return [this](HandoffBatch::Fn fn) { posted.push_back(std::move(fn)); };
  }
  void run() {
    for (auto& fn : posted) fn();
    posted.clear();
  }
};

TEST(HandoffBatch, WithoutAnOpenBatchNothingIsDeferredNorTaken) {
  Receiver r;
  int ran = 0;
  HandoffBatch::Fn fn = [&] { ++ran; };
  EXPECT_FALSE(HandoffBatch::defer(&r, r.post(), fn));
  EXPECT_TRUE(r.posted.empty());
  ASSERT_TRUE(fn);  // still the caller's, to post
  fn();
  EXPECT_EQ(ran, 1);
  {
    HandoffBatch batch;
    EXPECT_TRUE(HandoffBatch::defer(&r, r.post(), fn));
    EXPECT_FALSE(fn);  // taken
  }
  r.run();
  EXPECT_EQ(ran, 2);
}

// One post per receiving thread per batch, each running its hand-offs in order.
TEST(HandoffBatch, HandOffsArePostedOncePerGroupWhenTheBatchEnds) {
  Receiver a, b;
  std::vector<std::string> ran;
  {
    HandoffBatch batch;
    for (int i = 0; i < 3; ++i) {
      EXPECT_TRUE(defer(&a, a.post(), [&, i] { ran.push_back("a" + std::to_string(i)); }));
      EXPECT_TRUE(defer(&b, b.post(), [&, i] { ran.push_back("b" + std::to_string(i)); }));
    }
    EXPECT_TRUE(a.posted.empty());  // nothing leaves before the batch ends
    EXPECT_TRUE(b.posted.empty());
  }
  ASSERT_EQ(a.posted.size(), 1u);
  ASSERT_EQ(b.posted.size(), 1u);
  a.run();
  b.run();
  EXPECT_EQ(ran, (std::vector<std::string>{"a0", "a1", "a2", "b0", "b1", "b2"}));
  // The batch is closed: the next hand-off is the caller's to post.
  EXPECT_FALSE(defer(&a, a.post(), [] {}));
}

TEST(HandoffBatch, NestedBatchesJoinTheOutermost) {
  Receiver a;
  int ran = 0;
  {
    HandoffBatch outer;
    {
      HandoffBatch inner;
      EXPECT_TRUE(defer(&a, a.post(), [&] { ++ran; }));
    }
    EXPECT_TRUE(a.posted.empty());
    EXPECT_TRUE(defer(&a, a.post(), [&] { ++ran; }));
  }
  ASSERT_EQ(a.posted.size(), 1u);
  a.run();
  EXPECT_EQ(ran, 2);
}

// A function posted when the batch ends may hand off again: that is not deferred (the
// batch is over), it is posted at once.
TEST(HandoffBatch, WhatThePostsRunIsNotDeferred) {
  Receiver a;
  bool deferred_again = true;
  {
    HandoffBatch batch;
    defer(
        &a,
        [&](HandoffBatch::Fn fn) {
          fn();  // a receiver that runs at once (same thread)
        },
        [&] { deferred_again = defer(&a, a.post(), [] {}); });
  }
  EXPECT_FALSE(deferred_again);
}

}  // namespace
}  // namespace hippocrate
