// The local message history (src/client/history.h; docs/messaging.md "Local history"):
// sealed records bound to their profile and position, de-duplicated by message id, a torn
// tail dropped and every earlier record kept, any other damage refused (history_corrupt).
#include "client/history.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "base/files.h"
#include "base/ids.h"
#include "crypto/aead.h"
#include "support/temp_dir.h"

namespace hippocrate::client {
namespace {

const std::string kOwner = random_id() + random_id();

HistoryRecord record(std::string text, Direction direction = Direction::kReceived) {
  static std::int64_t clock = 1'765'000'000'000;
  clock += 1000;
  return HistoryRecord{
      new_message_id(), std::string(32, 'a'), direction, std::string(32, 'b'), clock,
      clock + 20,       std::move(text)};
}

// The records of a log: where each starts and how long it is (its length prefix included).
std::vector<std::pair<std::size_t, std::size_t>> spans(const Bytes& log) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t pos = 5; pos + 8 <= log.size();) {
    const std::size_t len = std::size_t{log[pos]} << 24 | std::size_t{log[pos + 1]} << 16 |
                            std::size_t{log[pos + 2]} << 8 | log[pos + 3];
    out.emplace_back(pos, 8 + len);
    pos += 8 + len;
  }
  return out;
}

Bytes slice(const Bytes& b, std::pair<std::size_t, std::size_t> span) {
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(span.first),
               b.begin() + static_cast<std::ptrdiff_t>(span.first + span.second));
}

class HistoryTest : public ::testing::Test {
 protected:
  std::filesystem::path file() const { return dir_.path() / "history"; }
  Result<History> open(const std::string& owner = kOwner) {
    return History::open(std::make_unique<FileHistoryStorage>(file()), key_.clone(), owner);
  }
  Bytes bytes() const {
    auto s = read_file(file(), 1 << 26);
    return s.ok() ? Bytes(s->begin(), s->end()) : Bytes{};
  }
  void write(const Bytes& b) const {
    std::ofstream out(file(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  // Appends `n` records and returns them.
  std::vector<HistoryRecord> fill(int n) {
    std::vector<HistoryRecord> out;
    auto h = open();
    for (int i = 0; i < n; ++i) {
      out.push_back(record("message " + std::to_string(i),
                           i % 2 == 0 ? Direction::kReceived : Direction::kSent));
      EXPECT_TRUE(h->append(out.back()).ok());
    }
    return out;
  }

  testing::TempDir dir_;
  SecretBytes key_ = crypto::aead_keygen();
};

TEST_F(HistoryTest, RoundTripInOrderEncryptedAnd0600) {
  auto h = open();
  ASSERT_TRUE(h.ok()) << h.error().message();
  EXPECT_TRUE(h->records().empty());
  const auto written = fill(3);
  auto again = open();
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->records(), written);
  struct stat st {};
  ASSERT_EQ(::stat(file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const Bytes raw = bytes();
  const std::string text(raw.begin(), raw.end());
  EXPECT_EQ(text.find("message 1"), std::string::npos);  // the text is sealed
}

TEST_F(HistoryTest, AMessageIdIsStoredOnce) {
  auto h = open();
  const HistoryRecord r = record("twice");
  ASSERT_TRUE(h->append(r).ok());
  const std::size_t size = bytes().size();
  ASSERT_TRUE(h->append(r).ok());
  EXPECT_EQ(bytes().size(), size);
  auto reopened = open();
  ASSERT_TRUE(reopened.ok()) << reopened.error().message();
  EXPECT_EQ(reopened->records().size(), 1u);
  EXPECT_TRUE(reopened->contains(r.message_id));
}

TEST_F(HistoryTest, AFlippedByteIsRefused) {
  fill(3);
  const Bytes good = bytes();
  // Every byte of the header and of the first record (the last one's torn-tail case is
  // TornLastRecord's), flipped in turn.
  const auto [first, first_len] = spans(good).at(0);
  const std::size_t first_end = first + first_len;
  for (std::size_t i = 0; i < first_end; ++i) {
    Bytes bad = good;
    bad[i] ^= 0x01;
    write(bad);
    auto h = open();
    ASSERT_FALSE(h.ok()) << "byte " << i;
    EXPECT_EQ(h.error().code(), i == 4 ? "history_unknown_version" : "history_corrupt")
        << "byte " << i;
  }
}

TEST_F(HistoryTest, SwappedOrReplayedRecordsAreRefused) {
  fill(3);
  const Bytes good = bytes();
  std::vector<Bytes> records;
  for (const auto& span : spans(good)) records.push_back(slice(good, span));
  ASSERT_EQ(records.size(), 3u);
  auto build = [&](std::initializer_list<int> order) {
    Bytes out(good.begin(), good.begin() + 5);
    for (int i : order) out.insert(out.end(), records[i].begin(), records[i].end());
    return out;
  };
  for (auto order : {build({1, 0, 2}), build({0, 2}), build({0, 1, 1}), build({0, 1, 2, 0})}) {
    write(order);
    auto h = open();
    ASSERT_FALSE(h.ok());
    EXPECT_EQ(h.error().code(), "history_corrupt");
  }
  write(build({0, 1, 2}));
  EXPECT_TRUE(open().ok());
}

TEST_F(HistoryTest, ARecordOfAnotherProfileIsRefused) {
  fill(2);
  // Another account or device with the same key…
  auto other_owner = open(random_id() + random_id());
  ASSERT_FALSE(other_owner.ok());
  EXPECT_EQ(other_owner.error().code(), "history_corrupt");
  // …or another profile's key.
  auto other_key =
      History::open(std::make_unique<FileHistoryStorage>(file()), crypto::aead_keygen(), kOwner);
  ASSERT_FALSE(other_key.ok());
  EXPECT_EQ(other_key.error().code(), "history_corrupt");
  // A record of another profile's history appended to this one.
  const Bytes mine = bytes();
  testing::TempDir other_dir;
  SecretBytes other = crypto::aead_keygen();
  {
    auto h = History::open(std::make_unique<FileHistoryStorage>(other_dir.path() / "history"),
                           other.clone(), kOwner);
    ASSERT_TRUE(h->append(record("a")).ok());
    ASSERT_TRUE(h->append(record("b")).ok());
    ASSERT_TRUE(h->append(record("c")).ok());
  }
  auto text = read_file(other_dir.path() / "history", 1 << 20);
  const Bytes theirs(text->begin(), text->end());
  const Bytes record2 = slice(theirs, spans(theirs).at(2));  // at the next position here
  Bytes mixed = mine;
  mixed.insert(mixed.end(), record2.begin(), record2.end());
  write(mixed);
  auto h = open();
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code(), "history_corrupt");
}

TEST_F(HistoryTest, TornLastRecordLosesOnlyIt) {
  const auto written = fill(3);
  const Bytes good = bytes();
  auto full = open();
  ASSERT_TRUE(full.ok());
  // Where the last record starts: the file's size before it was appended.
  const std::size_t last = spans(good).at(2).first;
  ASSERT_LT(last, good.size());
  for (std::size_t cut = last; cut < good.size(); ++cut) {
    write(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut)));
    auto h = open();
    ASSERT_TRUE(h.ok()) << "cut at " << cut << ": " << h.error().message();
    ASSERT_EQ(h->records().size(), 2u) << "cut at " << cut;
    EXPECT_EQ(h->records()[0], written[0]);
    EXPECT_EQ(h->records()[1], written[1]);
    // The torn tail is dropped: the next record goes where it was, and all read back.
    const HistoryRecord next = record("after the crash");
    ASSERT_TRUE(h->append(next).ok());
    auto after = open();
    ASSERT_TRUE(after.ok()) << "cut at " << cut;
    ASSERT_EQ(after->records().size(), 3u);
    EXPECT_EQ(after->records()[2], next);
  }
  // A torn header: nothing was recorded yet.
  for (std::size_t cut = 1; cut < 5; ++cut) {
    write(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut)));
    auto h = open();
    ASSERT_TRUE(h.ok()) << "cut at " << cut;
    EXPECT_TRUE(h->records().empty());
  }
}

TEST_F(HistoryTest, RecordsNeedIdsAndBoundedText) {
  auto h = open();
  HistoryRecord bad = record("x");
  bad.contact = "not an id";
  EXPECT_EQ(h->append(bad).error().code(), "invalid_field");
  HistoryRecord big = record(std::string(64 * 1024 + 1, 'x'));
  EXPECT_EQ(h->append(big).error().code(), "invalid_field");
  EXPECT_TRUE(h->records().empty());
}

}  // namespace
}  // namespace hippocrate::client
