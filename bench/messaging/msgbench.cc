// msgbench — messaging load generator for `hippocrate serve`: the shape of the XMPP anchor
// harness (../shared/bench/anchors/xmppbench.c), over TLS WebSocket with the binary frames
// of docs/messaging.md. One thread, epoll, OpenSSL. Connects to 127.0.0.1 only.
//
// Modes (each prints one JSON line on stdout, fields named as xmppbench's):
//   setup : create accounts, sessions and devices through the HTTP API (bench_setup.h) and
//           write them to --state FILE. Needs --bootstrap-token (hippocrate admin bootstrap).
//   tput  : P practitioner→patient device pairs; each sender keeps at most W messages in
//           flight (sent, and not yet both seen by its receiver and acknowledged durable by
//           the server's send_result — the server delivers before its commit, so counting
//           only deliveries would let unstored messages pile up); warm-up then D seconds;
//           delivered msgs/s counted at the receivers, which acknowledge what they get
//           (ack frames, one per read wake-up, ≤ 100 ids) as a real client must.
//   lat   : the same pairs, open loop at a fixed total rate R; latency from the *scheduled*
//           send time to receipt (no coordinated omission).
//   mem   : server VmRSS at 0, then each stage of idle authenticated device sockets, read
//           --settle seconds after the stage's last connection.
// Message bodies: 200 random bytes of "ciphertext" (the server treats ciphertext as opaque
// bytes: no E2EE library is needed for load), the first 16 holding a sequence number and
// the scheduled send time. After the measured window the run drains and checks that every
// message arrived once, in order, and that every send got its durable `send_result`.
// Every loop is bounded in count and time; alarm() stops the process in the end.
#include <arpa/inet.h>
#include <openssl/rand.h>
#include <sys/prctl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/ids.h"
#include "bench_setup.h"
#include "messaging/wire_frame.h"
#include "proc_stats.h"
#include "ws_client.h"

namespace msgbench {
namespace {

namespace wire = hippocrate::messaging::wire;

struct Options {
  std::string mode = "tput", host = "127.0.0.1", ca_file, state_file, stages = "1000,10000";
  std::string bootstrap_token;
  int port = 8443, pairs = 100, window = 32, duration = 20, warmup = 2, rate = 2000, body = 200;
  int settle = 5, hs_conc = 32, server_pid = 0, max_inflight = 2000, setup_timeout = 300;
  int idle = 10000, threads = 8, drain = 30;
} o;

sockaddr_in g_addr{};

[[noreturn]] void usage() {
  std::fprintf(
      stderr,
      "usage: msgbench --mode setup|tput|lat|mem --ca-file CERT.pem --state FILE\n"
      "  [--host 127.0.0.1] [--port 8443] [--server-pid PID]\n"
      "  setup: --bootstrap-token T [--pairs 100] [--idle 10000] [--threads 8]\n"
      "  tput : [--pairs 100] [--window 32] [--warmup 2] [--duration 20] [--body 200] [--drain "
      "30]\n"
      "  lat  : [--pairs 100] [--rate 2000] [--max-inflight 2000] [--warmup 2] [--duration 20]\n"
      "  mem  : [--stages 1000,10000] [--settle 5] [--hs-conc 32] [--setup-timeout 300]\n");
  std::exit(1);
}

std::uint64_t get_u64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return v;
}
// `v` as `n` big-endian bytes at `p`.
void put_be(std::uint8_t* p, std::uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) {
    p[i] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
}

std::string pct_json(std::vector<std::uint64_t>& lat) {
  if (lat.empty()) return ",\"lat_samples\":0";
  std::sort(lat.begin(), lat.end());
  double sum = 0;
  for (auto v : lat) sum += static_cast<double>(v);
  auto at = [&](double q) {
    return static_cast<double>(
               lat[static_cast<std::size_t>(q * static_cast<double>(lat.size() - 1))]) /
           1e3;
  };
  char b[512];
  std::snprintf(
      b, sizeof b,
      ",\"lat_samples\":%zu,\"lat_us\":{\"mean\":%.0f,\"p50\":%.0f,\"p90\":%.0f,\"p99\":%.0f,"
      "\"p999\":%.0f,\"max\":%.0f}",
      lat.size(), sum / static_cast<double>(lat.size()) / 1e3, at(0.5), at(0.9), at(0.99),
      at(0.999), static_cast<double>(lat.back()) / 1e3);
  return b;
}

// ---------------------------------------------------------------- tput / lat
enum class Phase { kSetup, kWarm, kMeasure, kDrain };

struct Pair {
  WsConn* s = nullptr;
  WsConn* r = nullptr;
  const PairSpec* spec = nullptr;
  std::uint64_t sent = 0, recvd = 0, acked = 0, expect_seq = 0;
  std::uint64_t out_of_order = 0, duplicates = 0, bounced = 0, skipped = 0, errors = 0;
  std::uint64_t next_due = 0;
  std::vector<std::string> pending_acks;  // receiver side
};

class PairRun final : public WsEvents {
 public:
  PairRun(const BenchState& state, bool lat_mode) : lat_mode_(lat_mode), state_(state) {}

  int run();

  void on_ready(WsConn&) override {}
  void on_failed(WsConn& c, const std::string& why) override {
    if (failures_printed_++ < 5)
      std::fprintf(stderr, "msgbench: connection %d failed: %s\n", c.index, why.c_str());
  }
  void on_message(WsConn& c, std::string_view payload) override {
    Pair& p = pairs_[static_cast<std::size_t>(c.index / 2)];
    auto frame = wire::decode(payload);
    if (!frame) {
      ++p.errors;
      return;
    }
    if (c.index % 2 == 0) {  // sender: durable acks, errors
      if (std::holds_alternative<wire::SendResult>(*frame)) {
        ++p.acked;
        if (!lat_mode_) pump(p);
      } else if (auto* e = std::get_if<wire::ErrorFrame>(&*frame)) {
        ++p.errors;
        if (errors_printed_++ < 5)
          std::fprintf(stderr, "msgbench: error frame: %s\n", e->code.c_str());
      } else {
        ++p.bounced;
      }
      return;
    }
    auto* d = std::get_if<wire::Deliver>(&*frame);
    if (d == nullptr || d->ciphertext.size() < 16 || d->sender_device != p.spec->sender.device_id) {
      ++p.bounced;
      return;
    }
    const std::uint64_t t = now_ns();
    const std::uint64_t seq = get_u64(d->ciphertext.data());
    const std::uint64_t ts = get_u64(d->ciphertext.data() + 8);
    p.pending_acks.push_back(d->message_id);
    if (ts < run_t0_) {  // left in the mailbox by an earlier run (its last acks were cut off)
      ++stale_;
      return;
    }
    if (seq < p.expect_seq) {
      ++p.duplicates;
      return;
    }
    if (seq != p.expect_seq) ++p.out_of_order;
    p.expect_seq = seq + 1;
    ++p.recvd;
    ++total_recv_;
    if (phase_ == Phase::kMeasure) ++recv_in_measure_;
    if (meas_t0_ != 0 && ts >= meas_t0_ && (meas_t1_ == 0 || ts < meas_t1_)) {
      lat_.push_back(t > ts ? t - ts : 0);
    }
  }
  void on_read_done(WsConn& c) override {
    Pair& p = pairs_[static_cast<std::size_t>(c.index / 2)];
    if (c.index % 2 == 1 && !p.pending_acks.empty()) {
      for (std::size_t i = 0; i < p.pending_acks.size(); i += wire::kMaxAckIds) {
        wire::Ack ack;
        const std::size_t end = std::min(p.pending_acks.size(), i + wire::kMaxAckIds);
        ack.message_ids.assign(p.pending_acks.begin() + static_cast<std::ptrdiff_t>(i),
                               p.pending_acks.begin() + static_cast<std::ptrdiff_t>(end));
        auto bytes = wire::encode(ack);
        if (bytes) loop_->queue_binary(c, *bytes);
      }
      p.pending_acks.clear();
      loop_->flush(c);
      if (!lat_mode_) pump(p);
    }
  }

 private:
  void queue_message(Pair& p, std::uint64_t ts) {
    std::uint8_t* b = body_.data();
    put_be(b, p.sent, 8);
    put_be(b + 8, ts, 8);
    // A message id as clients make them (base/ids.h: time-ordered, RFC 9562 UUIDv7 layout),
    // its random part this run's nonce, the pair and its counter, so ids never repeat.
    std::array<std::uint8_t, 10> random{};
    std::memcpy(random.data(), nonce_, sizeof nonce_);
    put_be(random.data() + 4, static_cast<std::uint64_t>(p.s->index / 2), 2);
    put_be(random.data() + 6, p.sent, 4);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    wire::Send send{hippocrate::message_id_at(static_cast<std::uint64_t>(ms.count()), random),
                    p.spec->receiver.account_id,
                    {wire::WireEnvelope{p.spec->receiver.device_id, body_}}};
    auto bytes = wire::encode(send);
    if (!bytes) {
      std::fprintf(stderr, "msgbench: cannot encode a send frame: %s\n",
                   bytes.error().code().c_str());
      std::exit(2);
    }
    loop_->queue_binary(*p.s, *bytes);
    ++p.sent;
    ++total_sent_;
  }
  void pump(Pair& p) {  // tput: fill the window
    if (phase_ != Phase::kWarm && phase_ != Phase::kMeasure) return;
    if (p.s->state != WsConn::State::kReady) return;
    bool added = false;
    while (p.sent - std::min(p.recvd, p.acked) < static_cast<std::uint64_t>(o.window)) {
      queue_message(p, now_ns());
      added = true;
    }
    if (added) loop_->flush(*p.s);
  }

  const bool lat_mode_;
  const BenchState& state_;
  WsLoop* loop_ = nullptr;
  std::vector<Pair> pairs_;
  std::vector<std::uint8_t> body_;
  std::uint8_t nonce_[4] = {};
  Phase phase_ = Phase::kSetup;
  std::uint64_t meas_t0_ = 0, meas_t1_ = 0, total_recv_ = 0, total_sent_ = 0, recv_in_measure_ = 0;
  std::uint64_t run_t0_ = 0, stale_ = 0;  // deliveries sent before this run (acked, not counted)
  std::vector<std::uint64_t> lat_;
  int failures_printed_ = 0, errors_printed_ = 0;
};

int PairRun::run() {
  run_t0_ = now_ns();
  const int P = o.pairs;
  if (static_cast<int>(state_.pairs.size()) < P) {
    std::fprintf(stderr, "msgbench: the state file has %zu pairs, %d asked\n", state_.pairs.size(),
                 P);
    return 1;
  }
  WsLoop loop(o.ca_file, g_addr, *this);
  loop_ = &loop;
  body_.resize(static_cast<std::size_t>(o.body));
  RAND_bytes(body_.data(), o.body);
  RAND_bytes(nonce_, sizeof nonce_);
  std::vector<WsConn> conns(static_cast<std::size_t>(2 * P));
  pairs_.resize(static_cast<std::size_t>(P));
  for (int i = 0; i < P; ++i) {
    Pair& p = pairs_[static_cast<std::size_t>(i)];
    p.spec = &state_.pairs[static_cast<std::size_t>(i)];
    p.s = &conns[static_cast<std::size_t>(2 * i)];
    p.r = &conns[static_cast<std::size_t>(2 * i + 1)];
    p.s->index = 2 * i;
    p.r->index = 2 * i + 1;
    p.s->token = p.spec->sender.token;
    p.s->target = "/api/v1/devices/" + p.spec->sender.device_id + "/socket";
    p.r->token = p.spec->receiver.token;
    p.r->target = "/api/v1/devices/" + p.spec->receiver.device_id + "/socket";
  }
  // Connect everything (at most hs_conc handshakes at once), bounded in time.
  const std::uint64_t t_setup = now_ns();
  const std::uint64_t setup_deadline =
      t_setup + static_cast<std::uint64_t>(o.setup_timeout) * 1'000'000'000ull;
  std::size_t next = 0;
  while (loop.ready < 2 * P) {
    while (next < conns.size() && loop.connecting < o.hs_conc) loop.start(conns[next++]);
    loop.poll(10'000'000);
    if (loop.failed > 0) return 1;
    if (now_ns() > setup_deadline) {
      std::fprintf(stderr, "msgbench: setup timeout, %d/%d connected\n", loop.ready, 2 * P);
      return 1;
    }
  }
  const double setup_s = static_cast<double>(now_ns() - t_setup) / 1e9;
  for (std::uint64_t end = now_ns() + 1'000'000'000ull; now_ns() < end;) loop.poll(20'000'000);

  const std::uint64_t interval = lat_mode_ ? static_cast<std::uint64_t>(1e9 * P / o.rate) : 0;
  const std::uint64_t t0 = now_ns();
  phase_ = Phase::kWarm;
  if (lat_mode_) {
    for (int i = 0; i < P; ++i)
      pairs_[static_cast<std::size_t>(i)].next_due =
          t0 + interval * static_cast<std::uint64_t>(i) / static_cast<std::uint64_t>(P);
  } else {
    for (auto& p : pairs_) pump(p);
  }
  const std::uint64_t t_meas = t0 + static_cast<std::uint64_t>(o.warmup) * 1'000'000'000ull;
  const std::uint64_t t_end = t_meas + static_cast<std::uint64_t>(o.duration) * 1'000'000'000ull;
  const std::uint64_t t_hard = t_end + static_cast<std::uint64_t>(o.drain) * 1'000'000'000ull;
  double s0 = 0, g0 = 0, s1 = 0, g1 = 0;
  std::uint64_t sent_m0 = 0, sent_m1 = 0, lag_sum = 0, lag_max = 0, lag_n = 0, drain_ns = 0;
  bool lost_connection = false;
  for (std::uint64_t iter = 0; iter < 2'000'000'000ull; ++iter) {
    const std::uint64_t t = now_ns();
    if (phase_ == Phase::kWarm && t >= t_meas) {
      phase_ = Phase::kMeasure;
      meas_t0_ = t;
      s0 = proc_cpu_s(o.server_pid);
      g0 = self_cpu_s();
      sent_m0 = total_sent_;
    }
    if (phase_ == Phase::kMeasure && t >= t_end) {
      phase_ = Phase::kDrain;
      meas_t1_ = t;
      s1 = proc_cpu_s(o.server_pid);
      g1 = self_cpu_s();
      sent_m1 = total_sent_;
    }
    if (phase_ == Phase::kDrain) {
      bool done = total_recv_ >= total_sent_;
      for (const auto& p : pairs_) done = done && p.acked + p.errors >= p.sent;
      if (done || t >= t_hard) {
        drain_ns = t - meas_t1_;
        break;
      }
    }
    if (loop.ready < 2 * P) {
      std::fprintf(stderr, "msgbench: connection lost during the run\n");
      lost_connection = true;
      if (phase_ != Phase::kDrain) {
        meas_t1_ = meas_t1_ == 0 && phase_ == Phase::kMeasure ? t : meas_t1_;
      }
      break;
    }
    if (lat_mode_ && (phase_ == Phase::kWarm || phase_ == Phase::kMeasure)) {
      std::uint64_t next_due = UINT64_MAX;
      for (auto& p : pairs_) {
        bool added = false;
        for (int k = 0; k < 1000 && p.next_due <= t; ++k) {  // bounded catch-up
          if (p.sent - std::min(p.recvd, p.acked) < static_cast<std::uint64_t>(o.max_inflight)) {
            queue_message(p, p.next_due);
            added = true;
            if (phase_ == Phase::kMeasure) {
              const std::uint64_t lag = t - p.next_due;
              lag_sum += lag;
              ++lag_n;
              lag_max = std::max(lag_max, lag);
            }
          } else {
            ++p.skipped;
          }
          p.next_due += interval;
        }
        if (added) loop.flush(*p.s);
        next_due = std::min(next_due, p.next_due);
      }
      const std::uint64_t t2 = now_ns();
      loop.poll(next_due > t2 ? std::min<std::uint64_t>(next_due - t2, 20'000'000) : 0);
    } else {
      loop.poll(20'000'000);
    }
  }
  if (meas_t1_ == 0 || (lost_connection && s1 == 0)) {
    std::fprintf(stderr, "msgbench: run aborted before the end of the measurement\n");
    return 1;
  }
  const double secs = static_cast<double>(meas_t1_ - meas_t0_) / 1e9;
  std::uint64_t ooo = 0, dup = 0, bounced = 0, skipped = 0, lost = 0, unacked = 0, errors = 0;
  for (const auto& p : pairs_) {
    ooo += p.out_of_order;
    dup += p.duplicates;
    bounced += p.bounced;
    skipped += p.skipped;
    errors += p.errors;
    lost += p.sent - p.recvd;
    unacked += p.sent > p.acked ? p.sent - p.acked : 0;
  }
  std::printf(
      "{\"mode\":\"%s\",\"transport\":\"tls-websocket\",\"pairs\":%d,\"body_bytes\":%d,"
      "\"setup_s\":%.2f,\"measure_s\":%.2f",
      lat_mode_ ? "lat" : "tput", P, o.body, setup_s, secs);
  if (lat_mode_) {
    std::printf(
        ",\"target_rate\":%d,\"max_inflight_per_pair\":%d,\"skipped\":%llu,"
        "\"gen_send_lag_us\":{\"mean\":%.1f,\"max\":%.1f}",
        o.rate, o.max_inflight, static_cast<unsigned long long>(skipped),
        lag_n ? static_cast<double>(lag_sum) / 1e3 / static_cast<double>(lag_n) : 0.0,
        static_cast<double>(lag_max) / 1e3);
  } else {
    std::printf(",\"window\":%d", o.window);
  }
  std::printf(
      ",\"sent_in_window_per_s\":%.0f,\"delivered_per_s\":%.0f,\"undelivered_after_drain\":%llu,"
      "\"duplicates\":%llu,\"out_of_order\":%llu,\"bounced\":%llu,\"send_errors\":%llu,"
      "\"unacked_after_drain\":%llu,\"drain_s\":%.2f",
      static_cast<double>(sent_m1 - sent_m0) / secs, static_cast<double>(recv_in_measure_) / secs,
      static_cast<unsigned long long>(lost), static_cast<unsigned long long>(dup),
      static_cast<unsigned long long>(ooo), static_cast<unsigned long long>(bounced),
      static_cast<unsigned long long>(errors), static_cast<unsigned long long>(unacked),
      static_cast<double>(drain_ns) / 1e9);
  std::printf(",\"stale_from_earlier_runs\":%llu", static_cast<unsigned long long>(stale_));
  std::printf(",\"server_cpu_pct\":%.1f,\"gen_cpu_pct\":%.1f", 100 * (s1 - s0) / secs,
              100 * (g1 - g0) / secs);
  std::printf(",\"server_rss_kb\":%ld", proc_status_kb(o.server_pid, "VmRSS"));
  std::printf("%s}\n", pct_json(lat_).c_str());
  std::fflush(stdout);
  loop.close_all(conns);
  return (lost || dup || ooo || errors || unacked || lost_connection || loop.failed) ? 1 : 0;
}

// ---------------------------------------------------------------- mem
class IdleRun final : public WsEvents {
 public:
  explicit IdleRun(const BenchState& state) : state_(state) {}
  int run();
  void on_ready(WsConn&) override {}
  void on_message(WsConn&, std::string_view) override { ++unexpected_; }
  void on_read_done(WsConn&) override {}
  void on_failed(WsConn& c, const std::string& why) override {
    if (printed_++ < 5)
      std::fprintf(stderr, "msgbench: idle connection %d failed: %s\n", c.index, why.c_str());
  }

 private:
  const BenchState& state_;
  std::uint64_t unexpected_ = 0;
  int printed_ = 0;
};

int IdleRun::run() {
  std::vector<int> stages;
  for (const char* s = o.stages.c_str(); *s != 0 && stages.size() < 16;) {
    stages.push_back(std::atoi(s));
    const char* c = std::strchr(s, ',');
    if (c == nullptr) break;
    s = c + 1;
  }
  const int maxn = stages.empty() ? 0 : *std::max_element(stages.begin(), stages.end());
  if (maxn > static_cast<int>(state_.idle.size())) {
    std::fprintf(stderr, "msgbench: the state file has %zu idle devices, %d asked\n",
                 state_.idle.size(), maxn);
    return 1;
  }
  WsLoop loop(o.ca_file, g_addr, *this);
  std::vector<WsConn> conns(static_cast<std::size_t>(maxn));
  for (int i = 0; i < maxn; ++i) {
    auto& c = conns[static_cast<std::size_t>(i)];
    c.index = i;
    c.token = state_.idle[static_cast<std::size_t>(i)].token;
    c.target = "/api/v1/devices/" + state_.idle[static_cast<std::size_t>(i)].device_id + "/socket";
  }
  auto service_for = [&](double secs) {
    const std::uint64_t end = now_ns() + static_cast<std::uint64_t>(secs * 1e9);
    for (int i = 0; i < 1'000'000 && now_ns() < end; ++i) loop.poll(20'000'000);
  };
  const long rss0 = proc_status_kb(o.server_pid, "VmRSS");
  std::printf(
      "{\"mode\":\"mem\",\"transport\":\"tls-websocket\",\"stages\":[{\"conns\":0,\"rss_kb\":%ld}",
      rss0);
  std::fflush(stdout);
  long prev_rss = rss0;
  int prev_n = 0;
  std::size_t next = 0;
  int rc = 0;
  for (int target : stages) {
    const std::uint64_t t = now_ns();
    const double c0 = proc_cpu_s(o.server_pid);
    const std::uint64_t deadline =
        t + static_cast<std::uint64_t>(o.setup_timeout) * 1'000'000'000ull;
    while (loop.ready + loop.failed < target && now_ns() < deadline) {
      while (next < static_cast<std::size_t>(target) && loop.connecting < o.hs_conc)
        loop.start(conns[next++]);
      loop.poll(10'000'000);
    }
    if (loop.ready < target) {
      std::fprintf(stderr, "msgbench: stage %d: %d connected, %d failed\n", target, loop.ready,
                   loop.failed);
      rc = 1;
      break;
    }
    const double up = static_cast<double>(now_ns() - t) / 1e9;
    const double cpu = proc_cpu_s(o.server_pid) - c0;
    service_for(o.settle);
    const long rss = proc_status_kb(o.server_pid, "VmRSS");
    std::printf(
        ",{\"conns\":%d,\"rss_kb\":%ld,\"kb_per_conn_vs_0\":%.1f,\"kb_per_conn_vs_prev\":%.1f,"
        "\"connect_s\":%.2f,\"server_cpu_ms_per_conn\":%.2f}",
        target, rss, static_cast<double>(rss - rss0) / target,
        static_cast<double>(rss - prev_rss) / (target - prev_n), up, cpu * 1e3 / (target - prev_n));
    std::fflush(stdout);
    prev_rss = rss;
    prev_n = target;
  }
  loop.close_all(conns);
  for (int i = 0; i < o.settle * 10; ++i) usleep(100'000);
  std::printf(
      ",{\"conns\":\"closed\",\"rss_kb\":%ld}],\"server_hwm_kb\":%ld,\"unexpected_frames\":%llu}\n",
      proc_status_kb(o.server_pid, "VmRSS"), proc_status_kb(o.server_pid, "VmHWM"),
      static_cast<unsigned long long>(unexpected_));
  return rc;
}

int parse_and_run(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    auto s = [&](const char* name, std::string& var) {
      if (a != name || v == nullptr) return false;
      var = v;
      ++i;
      return true;
    };
    auto n = [&](const char* name, int& var) {
      if (a != name || v == nullptr) return false;
      var = std::atoi(v);
      ++i;
      return true;
    };
    if (s("--mode", o.mode) || s("--host", o.host) || s("--ca-file", o.ca_file) ||
        s("--state", o.state_file) || s("--stages", o.stages) ||
        s("--bootstrap-token", o.bootstrap_token) || n("--port", o.port) || n("--pairs", o.pairs) ||
        n("--window", o.window) || n("--duration", o.duration) || n("--warmup", o.warmup) ||
        n("--rate", o.rate) || n("--body", o.body) || n("--settle", o.settle) ||
        n("--hs-conc", o.hs_conc) || n("--server-pid", o.server_pid) ||
        n("--max-inflight", o.max_inflight) || n("--setup-timeout", o.setup_timeout) ||
        n("--idle", o.idle) || n("--threads", o.threads) || n("--drain", o.drain)) {
      continue;
    }
    usage();
  }
  if (o.body < 16 || o.body > 65536 || o.pairs < 1 || o.pairs > 10000 || o.duration < 1 ||
      o.duration > 600 || o.warmup < 0 || o.warmup > 60 || o.rate < 1 || o.window < 1 ||
      o.settle < 0 || o.settle > 120 || o.hs_conc < 1 || o.idle < 0 || o.idle > 100000 ||
      o.drain < 1 || o.drain > 300 || o.ca_file.empty() || o.state_file.empty()) {
    usage();
  }
  if (o.host != "127.0.0.1") {
    std::fprintf(stderr, "msgbench: refusing target %s: only 127.0.0.1 is allowed\n",
                 o.host.c_str());
    return 1;
  }
  g_addr.sin_family = AF_INET;
  g_addr.sin_port = htons(static_cast<std::uint16_t>(o.port));
  inet_pton(AF_INET, "127.0.0.1", &g_addr.sin_addr);
  std::signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  // precise wake-ups for the paced (lat) mode

  if (o.mode == "setup") {
    alarm(static_cast<unsigned>(std::max(900, o.setup_timeout + 60)));
    if (o.bootstrap_token.empty()) usage();
    SetupOptions so;
    so.ca_file = o.ca_file;
    so.server = g_addr;
    so.bootstrap_token = o.bootstrap_token;
    so.pairs = o.pairs;
    so.idle = o.idle;
    so.threads = o.threads;
    BenchState state;
    if (!run_setup(so, state)) return 1;
    if (!write_state(o.state_file, state)) {
      std::fprintf(stderr, "msgbench: cannot write %s\n", o.state_file.c_str());
      return 1;
    }
    std::printf("{\"mode\":\"setup\",\"pairs\":%zu,\"idle_devices\":%zu}\n", state.pairs.size(),
                state.idle.size());
    return 0;
  }
  alarm(900);  // absolute safety net: no run lasts longer than 15 minutes
  BenchState state;
  if (!read_state(o.state_file, state)) {
    std::fprintf(stderr, "msgbench: cannot read the state file %s (run --mode setup first)\n",
                 o.state_file.c_str());
    return 1;
  }
  if (o.mode == "tput" || o.mode == "lat") return PairRun(state, o.mode == "lat").run();
  if (o.mode == "mem") return IdleRun(state).run();
  usage();
}

}  // namespace
}  // namespace msgbench

int main(int argc, char** argv) { return msgbench::parse_and_run(argc, argv); }
