// The canonical encoding, the chain hash and the signed message layouts (record.h).
#include "audit/record.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/hash.h"

namespace hippocrate::audit {
namespace {

AuditRecord small_record() {
  AuditRecord r;
  r.account_id = "ab";
  r.action = "x";
  r.result = "ok";
  return r;
}

TEST(AuditRecordTest, CanonicalEncodingIsVersionedSeqTimeAndLengthPrefixedFields) {
  const Bytes enc = canonical_encoding(0x0102, -1, small_record());
  Bytes expected = {0x01,                                            // version
                    0,    0,    0,    0,    0,    0,    0x01, 0x02,  // seq
                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // at_ms = -1
                    0,    0,    0,    2,    'a',  'b',               // account_id
                    0,    0,    0,    0,                             // session_id
                    0,    0,    0,    0,                             // device_id
                    0,    0,    0,    0,                             // source_address
                    0,    0,    0,    1,    'x',                     // action
                    0,    0,    0,    0,                             // resource
                    0,    0,    0,    2,    'o',  'k',               // result
                    0,    0,    0,    0};                            // detail
  EXPECT_EQ(enc, expected);
}

TEST(AuditRecordTest, FieldBoundariesAreUnambiguous) {
  AuditRecord a = small_record();
  AuditRecord b = small_record();
  a.account_id = "ab";
  a.session_id = "c";
  b.account_id = "a";
  b.session_id = "bc";
  EXPECT_NE(canonical_encoding(1, 0, a), canonical_encoding(1, 0, b));
  // The seq is part of what is hashed: the same record elsewhere hashes differently.
  EXPECT_NE(canonical_encoding(1, 0, a), canonical_encoding(2, 0, a));
}

TEST(AuditRecordTest, ChainHashIsSha256OfPrevHashThenEncoding) {
  const Bytes prev(32, 0xaa);
  Bytes input = prev;
  const Bytes enc = canonical_encoding(7, 1234, small_record());
  input.insert(input.end(), enc.begin(), enc.end());
  EXPECT_EQ(chain_hash(prev, 7, 1234, small_record()), crypto::sha256(input));
  EXPECT_NE(chain_hash(Bytes(32, 0xab), 7, 1234, small_record()), crypto::sha256(input));
}

TEST(AuditRecordTest, SignedMessagesHaveDistinctContextsAndFixedLayout) {
  const Bytes hash(32, 0x11);
  const Bytes cp = checkpoint_message(5, 3, hash, 99);
  const std::string cp_context = "hippocrate-audit-checkpoint-v1";
  ASSERT_EQ(cp.size(), cp_context.size() + 8 + 8 + 32 + 8);
  EXPECT_EQ(std::string(cp.begin(), cp.begin() + static_cast<long>(cp_context.size())), cp_context);
  EXPECT_EQ(cp[cp_context.size() + 7], 5);
  EXPECT_EQ(cp[cp_context.size() + 15], 3);
  const Bytes an = anchor_message(5, hash, 99);
  const std::string an_context = "hippocrate-audit-anchor-v1";
  ASSERT_EQ(an.size(), an_context.size() + 8 + 32 + 8);
  EXPECT_EQ(std::string(an.begin(), an.begin() + static_cast<long>(an_context.size())), an_context);
}

TEST(AuditRecordTest, UnixMillisecondsRoundTrip) {
  const TimePoint t = from_unix_ms(1767225600123);
  EXPECT_EQ(to_unix_ms(t), 1767225600123);
}

}  // namespace
}  // namespace hippocrate::audit
