#include "bench_setup.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

#include "base/encoding.h"

namespace msgbench {
namespace {

namespace json = boost::json;

constexpr int kMaxDevicesPerAccount = 16;  // docs/messaging.md, "active devices per account"

std::string random_hex(std::size_t bytes) {
  std::vector<std::uint8_t> b(bytes);
  RAND_bytes(b.data(), static_cast<int>(b.size()));
  return hippocrate::hex_encode(b);
}

std::string random_b64(std::size_t bytes) {
  std::vector<std::uint8_t> b(bytes);
  RAND_bytes(b.data(), static_cast<int>(b.size()));
  return hippocrate::base64url_encode(b);
}

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) from a base32 secret.
std::string totp(const std::string& secret_b32, std::time_t now) {
  std::vector<std::uint8_t> key;
  unsigned buffer = 0;
  int bits = 0;
  for (char ch : secret_b32) {
    int v;
    if (ch >= 'A' && ch <= 'Z') {
      v = ch - 'A';
    } else if (ch >= 'a' && ch <= 'z') {
      v = ch - 'a';
    } else if (ch >= '2' && ch <= '7') {
      v = ch - '2' + 26;
    } else {
      continue;  // padding, spaces
    }
    buffer = (buffer << 5) | static_cast<unsigned>(v);
    bits += 5;
    if (bits >= 8) {
      key.push_back(static_cast<std::uint8_t>(buffer >> (bits - 8)));
      bits -= 8;
    }
  }
  std::uint64_t counter = static_cast<std::uint64_t>(now) / 30;
  unsigned char msg[8];
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<unsigned char>(counter & 0xff);
    counter >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), msg, sizeof msg, mac, &mac_len);
  const int off = mac[mac_len - 1] & 0x0f;
  const std::uint32_t code =
      ((mac[off] & 0x7fu) << 24 | mac[off + 1] << 16 | mac[off + 2] << 8 | mac[off + 3]) %
      1'000'000u;
  char out[8];
  std::snprintf(out, sizeof out, "%06u", code);
  return out;
}

struct Response {
  int status = 0;
  std::string body;
};

// A blocking HTTPS/1.1 keep-alive connection from a chosen loopback source address.
class Https {
 public:
  Https(SSL_CTX* ctx, const sockaddr_in& server, std::uint32_t source_host_order, int timeout_s) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_in src{};
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(source_host_order);
    if (bind(fd_, reinterpret_cast<const sockaddr*>(&src), sizeof src) < 0) {
      error_ = std::string("bind: ") + std::strerror(errno);
      return;
    }
    timeval tv{timeout_s, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&server), sizeof server) < 0) {
      error_ = std::string("connect: ") + std::strerror(errno);
      return;
    }
    ssl_ = SSL_new(ctx);
    SSL_set_fd(ssl_, fd_);
    SSL_set1_host(ssl_, "127.0.0.1");
    if (SSL_connect(ssl_) != 1) {
      char buf[256] = {0};
      ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
      error_ = std::string("TLS: ") + buf;
      return;
    }
    ok_ = true;
  }
  ~Https() {
    if (ssl_ != nullptr) {
      if (ok_) SSL_shutdown(ssl_);
      SSL_free(ssl_);
    }
    if (fd_ >= 0) ::close(fd_);
  }
  Https(const Https&) = delete;
  Https& operator=(const Https&) = delete;

  const std::string& error() const { return error_; }
  bool ok() const { return ok_; }

  bool request(const std::string& method, const std::string& path, const std::string& body,
               const std::string& token, Response& out) {
    if (!ok_) return false;
    std::string req =
        method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: msgbench\r\n";
    if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT") {
      req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n";
    }
    req += "\r\n" + body;
    if (SSL_write(ssl_, req.data(), static_cast<int>(req.size())) != static_cast<int>(req.size())) {
      error_ = "write failed";
      return false;
    }
    std::string in;
    std::size_t head_end = std::string::npos;
    char buf[16384];
    for (int i = 0; i < 10000 && head_end == std::string::npos; ++i) {
      const int n = SSL_read(ssl_, buf, sizeof buf);
      if (n <= 0) {
        error_ = "read failed (headers)";
        return false;
      }
      in.append(buf, static_cast<std::size_t>(n));
      head_end = in.find("\r\n\r\n");
    }
    if (head_end == std::string::npos) return false;
    out.status = std::atoi(in.c_str() + 9);
    std::size_t length = 0;
    std::string head = in.substr(0, head_end);
    for (auto& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (auto at = head.find("\r\ncontent-length:"); at != std::string::npos) {
      length = std::strtoul(head.c_str() + at + 17, nullptr, 10);
    }
    out.body = in.substr(head_end + 4);
    for (int i = 0; i < 10000 && out.body.size() < length; ++i) {
      const int n = SSL_read(ssl_, buf, sizeof buf);
      if (n <= 0) {
        error_ = "read failed (body)";
        return false;
      }
      out.body.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }

 private:
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  bool ok_ = false;
  std::string error_;
};

class Setup {
 public:
  Setup(const SetupOptions& o) : o_(o) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_load_verify_locations(ctx_, o.ca_file.c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    nonce_ = random_hex(4);
  }
  ~Setup() { SSL_CTX_free(ctx_); }

  bool run(BenchState& state);

 private:
  // A fresh loopback source address per account (the per-source login limiter).
  std::uint32_t next_source() {
    const std::uint32_t n = source_counter_.fetch_add(1);
    return (127u << 24) | (1u << 16) | ((n / 250) << 8) | (n % 250 + 1);
  }
  std::unique_ptr<Https> connect() {
    auto c = std::make_unique<Https>(ctx_, o_.server, next_source(), 30);
    if (!c->ok()) report("connect", c->error());
    return c;
  }
  void report(const std::string& what, const std::string& detail) {
    std::lock_guard lock(mutex_);
    if (!failed_.exchange(true))
      std::fprintf(stderr, "msgbench setup: %s: %s\n", what.c_str(), detail.c_str());
  }
  // One API call; `want` is the expected status. The parsed JSON body (or null) on success.
  std::optional<json::value> call(Https& c, const std::string& method, const std::string& path,
                                  const json::object& body, const std::string& token, int want) {
    Response r;
    const std::string text = body.empty() && method == "GET" ? "" : json::serialize(body);
    if (!c.request(method, path, text, token, r)) {
      report(method + " " + path, c.error());
      return std::nullopt;
    }
    if (r.status != want) {
      report(method + " " + path, "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 300));
      return std::nullopt;
    }
    boost::system::error_code ec;
    json::value v = r.body.empty() ? json::value(nullptr) : json::parse(r.body, ec);
    if (ec) {
      report(method + " " + path, "bad JSON answer");
      return std::nullopt;
    }
    return v;
  }
  static std::string str(const json::value& v, std::initializer_list<const char*> path) {
    const json::value* cur = &v;
    for (const char* k : path) {
      if (!cur->is_object()) return {};
      cur = cur->as_object().if_contains(k);
      if (cur == nullptr) return {};
    }
    return cur->is_string() ? std::string(cur->get_string()) : std::string();
  }

  // accept → login; returns {token, account id}.
  bool join(Https& c, const std::string& invite_token, const std::string& email,
            const std::string& name, DeviceLogin& out) {
    // A random password; the policy refuses one that happens to contain a piece of the
    // name or e-mail (digits of the index, the nonce): draw again (bounded).
    std::string password;
    std::optional<json::value> acc;
    for (int attempt = 0; attempt < 8 && !acc; ++attempt) {
      password = random_b64(18) + "#7";
      Response r;
      const std::string body = json::serialize(
          json::object{{"token", invite_token}, {"display_name", name}, {"password", password}});
      if (!c.request("POST", "/api/v1/invitations/accept", body, "", r)) {
        report("POST /api/v1/invitations/accept", c.error());
        return false;
      }
      if (r.status == 201) {
        boost::system::error_code ec;
        acc = json::parse(r.body, ec);
        if (ec) acc.reset();
      } else if (r.status != 400 || r.body.find("password_") == std::string::npos) {
        report("POST /api/v1/invitations/accept",
               "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 300));
        return false;
      }
    }
    if (!acc) {
      report("POST /api/v1/invitations/accept", "no random password accepted");
      return false;
    }
    out.account_id = str(*acc, {"account", "id"});
    const std::string login_email = email.empty() ? str(*acc, {"account", "email"}) : email;
    auto s = call(c, "POST", "/api/v1/sessions", {{"email", login_email}, {"password", password}},
                  "", 201);
    if (!s) return false;
    out.token = str(*s, {"token"});
    return !out.token.empty() && !out.account_id.empty();
  }
  bool enrol_totp(Https& c, const std::string& token) {
    auto e = call(c, "POST", "/api/v1/me/mfa/totp", {}, token, 201);
    if (!e) return false;
    const std::string secret = str(*e, {"secret"});
    return call(c, "POST", "/api/v1/me/mfa/totp/confirm",
                {{"code", totp(secret, std::time(nullptr))}}, token, 200)
        .has_value();
  }
  std::optional<std::string> invite(Https& c, const std::string& token, const std::string& email,
                                    const char* role) {
    auto inv =
        call(c, "POST", "/api/v1/invitations", {{"email", email}, {"role", role}}, token, 201);
    if (!inv) return std::nullopt;
    return str(*inv, {"token"});
  }
  // Registers `count` devices for the account (versions 1..count); the ids go to `ids`.
  bool register_devices(Https& c, const std::string& token, int count,
                        std::vector<std::string>& ids) {
    json::array list;
    for (int k = 0; k < count; ++k) {
      const std::string id = random_hex(16);
      list.emplace_back(id);
      auto r = call(c, "PUT", "/api/v1/devices/" + id,
                    {{"identity", random_b64(32)},
                     {"device_list", random_b64(96)},
                     {"device_list_version", k + 1},
                     {"device_ids", list}},
                    token, 201);
      if (!r) return false;
      ids.push_back(id);
    }
    return true;
  }
  void parallel(int n, const std::function<bool(int)>& job) {
    std::atomic<int> next{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < std::max(1, o_.threads); ++t) {
      workers.emplace_back([&] {
        for (int i; !failed_ && (i = next.fetch_add(1)) < n;) {
          if (!job(i)) report("job", std::to_string(i));
        }
      });
    }
    for (auto& w : workers) w.join();
  }

  const SetupOptions& o_;
  SSL_CTX* ctx_ = nullptr;
  std::string nonce_;
  std::atomic<std::uint32_t> source_counter_{0};
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
};

bool Setup::run(BenchState& state) {
  const int P = o_.pairs;
  auto admin_conn = connect();
  if (!admin_conn->ok()) return false;
  DeviceLogin admin;
  if (!join(*admin_conn, o_.bootstrap_token, "", "Bench Admin", admin)) return false;
  if (!enrol_totp(*admin_conn, admin.token)) return false;
  std::fprintf(stderr, "msgbench setup: administrator ready; %d pairs, %d idle sockets\n", P,
               o_.idle);

  std::vector<std::string> prac_invites;
  for (int i = 0; i < P; ++i) {
    auto t =
        invite(*admin_conn, admin.token,
               "prac" + std::to_string(i) + "-" + nonce_ + "@bench.example.org", "practitioner");
    if (!t) return false;
    prac_invites.push_back(*t);
  }
  state.pairs.assign(static_cast<std::size_t>(P), {});
  const auto t0 = std::time(nullptr);
  parallel(P, [&](int i) {
    PairSpec& p = state.pairs[static_cast<std::size_t>(i)];
    const std::string pemail = "prac" + std::to_string(i) + "-" + nonce_ + "@bench.example.org";
    auto c = connect();
    if (!c->ok() ||
        !join(*c, prac_invites[static_cast<std::size_t>(i)], pemail,
              "Practitioner " + std::to_string(i), p.sender) ||
        !enrol_totp(*c, p.sender.token)) {
      return false;
    }
    std::vector<std::string> ids;
    if (!register_devices(*c, p.sender.token, 1, ids)) return false;
    p.sender.device_id = ids[0];
    const std::string email = "pat" + std::to_string(i) + "-" + nonce_ + "@bench.example.org";
    auto t = invite(*c, p.sender.token, email, "patient");
    if (!t) return false;
    auto pc = connect();
    if (!pc->ok() || !join(*pc, *t, email, "Patient " + std::to_string(i), p.receiver))
      return false;
    ids.clear();
    if (!register_devices(*pc, p.receiver.token, 1, ids)) return false;
    p.receiver.device_id = ids[0];
    return true;
  });
  if (failed_) return false;
  std::fprintf(stderr, "msgbench setup: %d pairs ready in %lds\n", P,
               static_cast<long>(std::time(nullptr) - t0));

  const int accounts = (o_.idle + kMaxDevicesPerAccount - 1) / kMaxDevicesPerAccount;
  std::vector<std::vector<DeviceLogin>> idle(static_cast<std::size_t>(accounts));
  parallel(accounts, [&](int j) {
    const std::string& inviter = state.pairs[static_cast<std::size_t>(j % P)].sender.token;
    const std::string email = "idle" + std::to_string(j) + "-" + nonce_ + "@bench.example.org";
    auto c = connect();
    if (!c->ok()) return false;
    auto t = invite(*c, inviter, email, "patient");
    DeviceLogin who;
    if (!t || !join(*c, *t, email, "Idle " + std::to_string(j), who)) return false;
    const int n = std::min(kMaxDevicesPerAccount, o_.idle - j * kMaxDevicesPerAccount);
    std::vector<std::string> ids;
    if (!register_devices(*c, who.token, n, ids)) return false;
    for (const auto& id : ids)
      idle[static_cast<std::size_t>(j)].push_back({who.token, who.account_id, id});
    if (j % 50 == 49)
      std::fprintf(stderr, "msgbench setup: %d/%d idle accounts\n", j + 1, accounts);
    return true;
  });
  if (failed_) return false;
  for (auto& v : idle) state.idle.insert(state.idle.end(), v.begin(), v.end());
  std::fprintf(stderr, "msgbench setup: done in %lds (%zu idle devices)\n",
               static_cast<long>(std::time(nullptr) - t0), state.idle.size());
  return true;
}

}  // namespace

bool run_setup(const SetupOptions& options, BenchState& state) {
  Setup s(options);
  return s.run(state);
}

bool write_state(const std::string& path, const BenchState& state) {
  std::ofstream f(path, std::ios::trunc);
  f << "msgbench-state 1\n";
  for (const auto& p : state.pairs) {
    f << "pair " << p.sender.token << ' ' << p.sender.account_id << ' ' << p.sender.device_id << ' '
      << p.receiver.token << ' ' << p.receiver.account_id << ' ' << p.receiver.device_id << '\n';
  }
  for (const auto& d : state.idle)
    f << "idle " << d.token << ' ' << d.account_id << ' ' << d.device_id << '\n';
  return static_cast<bool>(f);
}

bool read_state(const std::string& path, BenchState& state) {
  std::ifstream f(path);
  std::string line;
  if (!std::getline(f, line) || line != "msgbench-state 1") return false;
  while (std::getline(f, line)) {
    std::istringstream in(line);
    std::string kind;
    in >> kind;
    if (kind == "pair") {
      PairSpec p;
      in >> p.sender.token >> p.sender.account_id >> p.sender.device_id >> p.receiver.token >>
          p.receiver.account_id >> p.receiver.device_id;
      if (!in) return false;
      state.pairs.push_back(p);
    } else if (kind == "idle") {
      DeviceLogin d;
      in >> d.token >> d.account_id >> d.device_id;
      if (!in) return false;
      state.idle.push_back(d);
    }
  }
  return true;
}

}  // namespace msgbench
