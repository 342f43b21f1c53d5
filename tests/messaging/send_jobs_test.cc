// SendJobs merges the sends of one sender into the job the writer has not started; a
// started job, another sender (account, session, device or address) or a full job opens a
// new one.
#include "messaging/send_jobs.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "messaging/mailbox.h"

namespace hippocrate::messaging {
namespace {

Actor sender(std::string session = "s1", std::string address = "127.0.0.1") {
  return Actor{"a1", "org", auth::Role::kPatient, std::move(session), std::move(address)};
}

QueuedSend send(std::string id, std::string device = "d1") {
  QueuedSend s;
  s.request = std::make_shared<const SendRequest>(
      SendRequest{std::move(id), "recipient", std::move(device), {}});
  return s;
}

TEST(SendJobs, MergesASendersSendsUntilTheWriterStartsTheirJob) {
  SendJobs jobs;
  auto first = jobs.add(sender(), send("m1"));
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(jobs.add(sender(), send("m2")), nullptr);  // joined the open job
  // Each part of the sender opens its own job.
  auto other_session = jobs.add(sender("s2"), send("m3"));
  auto other_address = jobs.add(sender("s1", "::1"), send("m4"));
  auto other_device = jobs.add(sender(), send("m5", "d2"));
  for (const auto& job : {other_session, other_address, other_device}) {
    ASSERT_NE(job, nullptr);
    EXPECT_NE(job, first);
  }
  auto taken = jobs.take(*first);
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].request->message_id, "m1");
  EXPECT_EQ(taken[1].request->message_id, "m2");
  EXPECT_TRUE(jobs.take(*first).empty());  // once
  // Started: the next send opens a new job.
  auto next = jobs.add(sender(), send("m6"));
  ASSERT_NE(next, nullptr);
  EXPECT_NE(next, first);
  EXPECT_EQ(jobs.take(*next).size(), 1u);
  EXPECT_EQ(jobs.take(*other_device).size(), 1u);
}

TEST(SendJobs, AFullJobIsFollowedByANewOne) {
  SendJobs jobs;
  auto first = jobs.add(sender(), send("m0"));
  for (std::size_t i = 1; i < SendJobs::kMaxSendsPerJob; ++i) {
    EXPECT_EQ(jobs.add(sender(), send("m" + std::to_string(i))), nullptr);
  }
  auto second = jobs.add(sender(), send("next"));
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(jobs.add(sender(), send("after")), nullptr);  // joins the second
  EXPECT_EQ(jobs.take(*first).size(), SendJobs::kMaxSendsPerJob);
  EXPECT_EQ(jobs.take(*second).size(), 2u);
}

}  // namespace
}  // namespace hippocrate::messaging
