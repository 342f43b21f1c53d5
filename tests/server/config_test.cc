#include "server/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"

namespace hippocrate::server {
namespace {

std::filesystem::path write(const testing::TempDir& dir, const std::string& text) {
  auto path = dir.path() / "hippocrate.toml";
  std::ofstream(path) << text;
  return path;
}

TEST(Config, DefaultsAreTheEmbeddedSetUp) {
  Config c;
  EXPECT_EQ(c.listen(), "127.0.0.1:8443");
  EXPECT_EQ(c.effective_database_url(), "sqlite://var/hippocrate.db");
  EXPECT_EQ(c.max_body_bytes, 1024u * 1024u);
  EXPECT_TRUE(validate_config(c).ok());
}

TEST(Config, FileThenEnvironmentThenFlag) {
  testing::TempDir dir;
  Config c;
  auto file = write(dir,
                    "[server]\nlisten = \"127.0.0.1:9000\"\ndata_dir = \"/srv/h\"\n"
                    "max_body_bytes = 2048\n[log]\naccess = \"off\"\n");
  ASSERT_TRUE(apply_config_file(c, file).ok());
  EXPECT_EQ(c.listen_port, 9000);
  EXPECT_EQ(c.data_dir, "/srv/h");
  EXPECT_EQ(c.max_body_bytes, 2048u);
  EXPECT_EQ(c.access_log, "off");
  ASSERT_TRUE(apply_config_environment(c, {{"HIPPOCRATE_SERVER_LISTEN", "[::1]:9001"}}).ok());
  EXPECT_EQ(c.listen(), "[::1]:9001");
  ASSERT_TRUE(set_config_value(c, "server.listen", "127.0.0.1:9002", {"--listen"}).ok());
  EXPECT_EQ(c.listen(), "127.0.0.1:9002");
  EXPECT_EQ(c.effective_database_url(), "sqlite:///srv/h/hippocrate.db");
}

TEST(Config, ErrorsNameTheKeyAndTheSource) {
  Config c;
  auto bad_listen = set_config_value(c, "server.listen", "localhost", {"--listen"});
  ASSERT_FALSE(bad_listen.ok());
  EXPECT_EQ(bad_listen.error().code(), "invalid_config");
  EXPECT_NE(bad_listen.error().message().find("server.listen"), std::string::npos);
  EXPECT_NE(bad_listen.error().message().find("--listen"), std::string::npos);

  auto bad_port = apply_config_environment(c, {{"HIPPOCRATE_SERVER_LISTEN", "1.2.3.4:70000"}});
  ASSERT_FALSE(bad_port.ok());
  EXPECT_NE(bad_port.error().message().find("HIPPOCRATE_SERVER_LISTEN"), std::string::npos);
  EXPECT_NE(bad_port.error().message().find("out of range"), std::string::npos);

  auto too_small = set_config_value(c, "server.max_body_bytes", "12", {"test"});
  EXPECT_NE(too_small.error().message().find("server.max_body_bytes"), std::string::npos);
  EXPECT_FALSE(set_config_value(c, "server.threads", "two", {"test"}).ok());
  EXPECT_EQ(c.listen(), "127.0.0.1:8443");  // nothing half-applied
}

// The writer gives way to delivery as SCHED_IDLE by default; "nice" is the fallback for a
// machine shared with busy programs (docs/storage.md, "Writer scheduling").
TEST(Config, WriterSchedulingIsIdleByDefaultAndNiceOnRequest) {
  testing::TempDir dir;
  Config c;
  EXPECT_TRUE(c.database_writer_idle);
  ASSERT_TRUE(apply_config_file(c, write(dir,
                                         "[database]\nwriter_scheduling = \"nice\"\n"
                                         "writer_nice = 15\n"))
                  .ok());
  EXPECT_FALSE(c.database_writer_idle);
  EXPECT_EQ(c.database_writer_nice, 15);
  ASSERT_TRUE(
      apply_config_environment(c, {{"HIPPOCRATE_DATABASE_WRITER_SCHEDULING", "idle"}}).ok());
  EXPECT_TRUE(c.database_writer_idle);
  auto bad = set_config_value(c, "database.writer_scheduling", "realtime", {"test"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), "invalid_config");
  EXPECT_NE(bad.error().message().find("database.writer_scheduling"), std::string::npos);
  EXPECT_TRUE(c.database_writer_idle);  // unchanged
}

TEST(Config, UndeliveredRetentionHasItsOwnSection) {
  testing::TempDir dir;
  Config c;
  EXPECT_EQ(c.undelivered_retention_days, 90);
  ASSERT_TRUE(
      apply_config_file(c, write(dir, "[messaging]\nundelivered_retention_days = 30\n")).ok());
  EXPECT_EQ(c.undelivered_retention_days, 30);
  EXPECT_FALSE(set_config_value(c, "messaging.undelivered_retention_days", "0", {"t"}).ok());
  auto typo = apply_config_environment(c, {{"HIPPOCRATE_MESSAGING_RETENTION", "5"}});
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message().find("unknown setting"), std::string::npos);
  EXPECT_EQ(c.undelivered_retention_days, 30);
}

TEST(Config, AttemptsPerAddressAreBoundedAndOverridable) {
  testing::TempDir dir;
  Config c;
  EXPECT_EQ(c.attempts_per_address_burst, 20);
  EXPECT_EQ(c.attempts_per_address_per_minute, 30);
  ASSERT_TRUE(apply_config_file(c, write(dir, "[auth]\nattempts_per_address_burst = 100\n")).ok());
  EXPECT_EQ(c.attempts_per_address_burst, 100);
  ASSERT_TRUE(
      apply_config_environment(c, {{"HIPPOCRATE_AUTH_ATTEMPTS_PER_ADDRESS_PER_MINUTE", "120"}})
          .ok());
  EXPECT_EQ(c.attempts_per_address_per_minute, 120);
  EXPECT_FALSE(set_config_value(c, "auth.attempts_per_address_burst", "0", {"t"}).ok());
  EXPECT_FALSE(set_config_value(c, "auth.attempts_per_address_per_minute", "6001", {"t"}).ok());
  EXPECT_EQ(c.attempts_per_address_burst, 100);
}

TEST(Config, FileTyposAndWrongTypesAreRefused) {
  testing::TempDir dir;
  Config c;
  auto typo = apply_config_file(c, write(dir, "[server]\nlisen = \"127.0.0.1:1\"\n"));
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message().find("server.lisen"), std::string::npos);
  EXPECT_NE(typo.error().message().find("unknown setting"), std::string::npos);

  auto type = apply_config_file(c, write(dir, "[server]\nmax_body_bytes = \"big\"\n"));
  ASSERT_FALSE(type.ok());
  EXPECT_NE(type.error().message().find("expected a whole number"), std::string::npos);

  auto syntax = apply_config_file(c, write(dir, "[server\nlisten = 1\n"));
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.error().message().find("hippocrate.toml:1"), std::string::npos);

  auto top = apply_config_file(c, write(dir, "listen = \"127.0.0.1:1\"\n"));
  ASSERT_FALSE(top.ok());
  EXPECT_NE(top.error().message().find("[server]"), std::string::npos);
}

TEST(Config, UnknownEnvironmentSettingIsRefused) {
  Config c;
  auto s = apply_config_environment(c, {{"HIPPOCRATE_SERVER_LISTN", "x"}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("HIPPOCRATE_SERVER_LISTN"), std::string::npos);
  EXPECT_TRUE(apply_config_environment(c, {{"HIPPOCRATE_CONFIG", "x.toml"}}).ok());
  // The client commands' variable does not stop the server.
  EXPECT_TRUE(
      apply_config_environment(c, {{"HIPPOCRATE_SERVER_URL", "https://127.0.0.1:8443"}}).ok());
}

// The header deadline and the per-address connection cap (docs/configuration.md).
TEST(Config, HeaderDeadlineAndConnectionCap) {
  testing::TempDir dir;
  Config c;
  EXPECT_EQ(c.header_timeout, std::chrono::milliseconds(10'000));
  EXPECT_EQ(c.max_connections_per_address, 256u);
  ASSERT_TRUE(apply_config_file(c, write(dir,
                                         "[server]\nheader_timeout_ms = 2000\n"
                                         "max_connections_per_address = 20000\n"))
                  .ok());
  EXPECT_EQ(c.header_timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(c.max_connections_per_address, 20000u);
  ASSERT_TRUE(
      apply_config_environment(c, {{"HIPPOCRATE_SERVER_MAX_CONNECTIONS_PER_ADDRESS", "64"}}).ok());
  EXPECT_EQ(c.max_connections_per_address, 64u);
  auto zero = set_config_value(c, "server.max_connections_per_address", "0", {"test"});
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message().find("server.max_connections_per_address"), std::string::npos);
  EXPECT_FALSE(set_config_value(c, "server.header_timeout_ms", "10", {"test"}).ok());
  EXPECT_EQ(c.max_connections_per_address, 64u);
}

// server.allowed_origins: a TOML list, or a comma-separated variable; each origin is
// normalized; anything but an https origin is refused, naming the setting.
TEST(Config, AllowedOriginsAreAListOfHttpsOrigins) {
  testing::TempDir dir;
  Config c;
  EXPECT_TRUE(c.allowed_origins.empty());  // the server's own origin
  ASSERT_TRUE(
      apply_config_file(c, write(dir,
                                 "[server]\nallowed_origins = [\"https://Care.Example.org\", "
                                 "\"https://care.example.org:8443\"]\n"))
          .ok());
  EXPECT_EQ(c.allowed_origins, (std::vector<std::string>{"https://care.example.org",
                                                         "https://care.example.org:8443"}));
  ASSERT_TRUE(apply_config_environment(c, {{"HIPPOCRATE_SERVER_ALLOWED_ORIGINS",
                                            "https://a.example, https://b.example:443"}})
                  .ok());
  EXPECT_EQ(c.allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
  for (const char* bad : {"http://a.example", "https://a.example/app", "", "*"}) {
    SCOPED_TRACE(bad);
    auto s = set_config_value(c, "server.allowed_origins", bad, {"test"});
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message().find("server.allowed_origins"), std::string::npos);
  }
  auto type =
      apply_config_file(c, write(dir, "[server]\nallowed_origins = \"https://a.example\"\n"));
  ASSERT_FALSE(type.ok());
  EXPECT_NE(type.error().message().find("list"), std::string::npos);
  auto empty = apply_config_file(c, write(dir, "[server]\nallowed_origins = []\n"));
  EXPECT_FALSE(empty.ok());
  EXPECT_EQ(c.allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
}

// auth.webauthn_rp_id: a domain (browsers refuse an IP address as an RP ID); by default the
// host of the first allowed origin when it is a name, else "localhost".
TEST(Config, WebauthnRpIdIsADomainOfTheAllowedOrigins) {
  Config c;
  EXPECT_EQ(c.effective_webauthn_rp_id(), "localhost");
  ASSERT_TRUE(set_config_value(c, "server.allowed_origins", "https://127.0.0.1:8443", {"t"}).ok());
  EXPECT_EQ(c.effective_webauthn_rp_id(), "localhost");
  ASSERT_TRUE(set_config_value(c, "server.allowed_origins",
                               "https://care.example.org:8443, https://localhost:8443", {"t"})
                  .ok());
  EXPECT_EQ(c.effective_webauthn_rp_id(), "care.example.org");
  EXPECT_TRUE(validate_config(c).ok());
  for (const char* bad : {"127.0.0.1", "Care.Example.org", "", "care..example.org", "[::1]",
                          "care.example.org.", "https://care.example.org"}) {
    SCOPED_TRACE(bad);
    auto s = set_config_value(c, "auth.webauthn_rp_id", bad, {"test"});
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message().find("auth.webauthn_rp_id"), std::string::npos);
  }
  ASSERT_TRUE(set_config_value(c, "auth.webauthn_rp_id", "example.org", {"t"}).ok());
  EXPECT_EQ(c.effective_webauthn_rp_id(), "example.org");
  EXPECT_TRUE(validate_config(c).ok());  // a parent domain of care.example.org
  ASSERT_TRUE(set_config_value(c, "auth.webauthn_rp_id", "other.example", {"t"}).ok());
  auto none = validate_config(c);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message().find("auth.webauthn_rp_id"), std::string::npos);
}

TEST(Config, CertificateAndKeyGoTogether) {
  Config c;
  c.tls_certificate = "/etc/ssl/cert.pem";
  auto s = validate_config(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("tls.private_key"), std::string::npos);
}

}  // namespace
}  // namespace hippocrate::server
