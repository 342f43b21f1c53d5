// The CLI profile (session token file, config.json) and the JSON bodies that carry secrets.
#include "cli/profile.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cstdlib>
#include <fstream>

#include "base/files.h"
#include "cli/client_context.h"
#include "support/temp_dir.h"

namespace hippocrate::cli {
namespace {

namespace fs = std::filesystem;
using hippocrate::testing::TempDir;

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

void write_text(const fs::path& path, std::string_view text, mode_t mode) {
  std::ofstream(path, std::ios::binary) << text;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

// Restores an environment variable at the end of a test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(Profile, CreatesItsFolderPrivate) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "a" / "b" / "profile";
  auto profile = Profile::open(dir);
  ASSERT_TRUE(profile) << profile.error().to_string();
  EXPECT_TRUE(fs::is_directory(dir));
  EXPECT_EQ(mode_of(dir), 0700u);
}

TEST(Profile, KeepsTheModeOfAnExistingPrivateFolder) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "p";
  fs::create_directory(dir);
  ASSERT_EQ(::chmod(dir.c_str(), 0750), 0);
  ASSERT_TRUE(Profile::open(dir));
  EXPECT_EQ(mode_of(dir), 0750u);
}

TEST(Profile, RefusesAFolderOthersCanWrite) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "p";
  fs::create_directory(dir);
  ASSERT_EQ(::chmod(dir.c_str(), 0777), 0);
  auto profile = Profile::open(dir);
  ASSERT_FALSE(profile);
  EXPECT_EQ(profile.error().code(), "profile_insecure");
  EXPECT_NE(profile.error().message().find("chmod 700"), std::string::npos);
}

TEST(Profile, NoSessionFileMeansNotLoggedIn) {
  TempDir tmp;
  auto profile = Profile::open(tmp.path() / "p");
  ASSERT_TRUE(profile);
  auto token = profile->load_session();
  ASSERT_TRUE(token) << token.error().to_string();
  EXPECT_FALSE(token->has_value());
}

TEST(Profile, SessionFileIs0600AndRoundTrips) {
  TempDir tmp;
  auto profile = Profile::open(tmp.path() / "p");
  ASSERT_TRUE(profile);
  const std::string_view text = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  ASSERT_TRUE(profile->save_session(SecretBytes::from(text)));
  EXPECT_EQ(mode_of(profile->session_path()), 0600u);
  auto token = profile->load_session();
  ASSERT_TRUE(token) << token.error().to_string();
  ASSERT_TRUE(token->has_value());
  EXPECT_EQ((*token)->view(), text);
  // No temporary file is left behind by the atomic write.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(profile->dir())) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(Profile, SavingASessionReplacesALooseFileWithAPrivateOne) {
  TempDir tmp;
  auto profile = Profile::open(tmp.path() / "p");
  ASSERT_TRUE(profile);
  write_text(profile->session_path(), "old", 0644);
  ASSERT_TRUE(profile->save_session(SecretBytes::from(std::string_view("new-token"))));
  EXPECT_EQ(mode_of(profile->session_path()), 0600u);
  auto token = profile->load_session();
  ASSERT_TRUE(token);
  EXPECT_EQ((*token)->view(), "new-token");
}

TEST(Profile, TrailingNewlineOfAHandWrittenSessionFileIsIgnored) {
  TempDir tmp;
  auto profile = Profile::open(tmp.path() / "p");
  ASSERT_TRUE(profile);
  write_text(profile->session_path(), "tok123\n", 0600);
  auto token = profile->load_session();
  ASSERT_TRUE(token);
  EXPECT_EQ((*token)->view(), "tok123");
}

class LooseSessionFile : public ::testing::TestWithParam<mode_t> {};

TEST_P(LooseSessionFile, IsRefusedWithTheChmodToRun) {
  TempDir tmp;
  auto profile = Profile::open(tmp.path() / "p");
  ASSERT_TRUE(profile);
  write_text(profile->session_path(), "secret-token", GetParam());
  auto token = profile->load_session();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code(), "session_file_insecure");
  const std::string& message = token.error().message();
  EXPECT_NE(message.find("chmod 600 '" + profile->session_path().string() + "'"), std::string::npos)
      << message;
  EXPECT_EQ(message.find("secret-token"), std::string::npos) << "never echo the token";
}

INSTANTIATE_TEST_SUITE_P(Modes, LooseSessionFile,
                         ::testing::Values(0644, 0640, 0604, 0660, 0606, 0666, 0610));

TEST(Profile, ReadOnlyOwnerSessionFileIsAccepted) {
  TempDir tmp;
  auto profile = Profile::open(tmp.path() / "p");
  ASSERT_TRUE(profile);
  write_text(profile->session_path(), "tok", 0400);
  auto token = profile->load_session();
  ASSERT_TRUE(token) << token.error().to_string();
  EXPECT_EQ((*token)->view(), "tok");
}

TEST(Profile, SymlinkedSessionFileIsRefused) {
  TempDir tmp;
  auto profile = Profile::open(tmp.path() / "p");
  ASSERT_TRUE(profile);
  write_text(tmp.path() / "elsewhere", "tok", 0600);
  fs::create_symlink(tmp.path() / "elsewhere", profile->session_path());
  auto token = profile->load_session();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code(), "session_file_insecure");
}

TEST(Profile, EmptySessionFileIsInvalid) {
  TempDir tmp;
  auto profile = Profile::open(tmp.path() / "p");
  ASSERT_TRUE(profile);
  write_text(profile->session_path(), "\n", 0600);
  auto token = profile->load_session();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code(), "session_file_invalid");
}

TEST(Profile, RemoveSessionDeletesAndToleratesAbsence) {
  TempDir tmp;
  auto profile = Profile::open(tmp.path() / "p");
  ASSERT_TRUE(profile);
  ASSERT_TRUE(profile->save_session(SecretBytes::from(std::string_view("tok"))));
  ASSERT_TRUE(profile->remove_session());
  EXPECT_FALSE(fs::exists(profile->session_path()));
  EXPECT_TRUE(profile->remove_session());
  auto token = profile->load_session();
  ASSERT_TRUE(token);
  EXPECT_FALSE(token->has_value());
}

TEST(Profile, ConfigRoundTripsWithAnAbsoluteCaFile) {
  TempDir tmp;
  auto profile = Profile::open(tmp.path() / "p");
  ASSERT_TRUE(profile);
  auto empty = profile->load_config();
  ASSERT_TRUE(empty) << empty.error().to_string();
  EXPECT_TRUE(empty->server_url.empty());
  EXPECT_TRUE(empty->ca_file.empty());
  EXPECT_TRUE(empty->email.empty());

  ProfileConfig config;
  config.server_url = "https://127.0.0.1:9443";
  config.ca_file = "relative/cert.pem";
  config.email = "alice@example.org";
  ASSERT_TRUE(profile->save_config(config));
  EXPECT_EQ(mode_of(profile->config_path()), 0600u);
  auto loaded = profile->load_config();
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ(loaded->server_url, "https://127.0.0.1:9443");
  EXPECT_EQ(loaded->ca_file, fs::absolute("relative/cert.pem"));
  EXPECT_TRUE(loaded->ca_file.is_absolute());
  EXPECT_EQ(loaded->email, "alice@example.org");
}

TEST(Profile, MalformedConfigIsReported) {
  TempDir tmp;
  auto profile = Profile::open(tmp.path() / "p");
  ASSERT_TRUE(profile);
  for (const char* text : {"not json", "[1,2]", R"({"server": 42})"}) {
    write_text(profile->config_path(), text, 0600);
    auto config = profile->load_config();
    ASSERT_FALSE(config) << text;
    EXPECT_EQ(config.error().code(), "profile_config_invalid") << text;
  }
}

TEST(Profile, ConfigOthersCanWriteIsRefused) {
  TempDir tmp;
  auto profile = Profile::open(tmp.path() / "p");
  ASSERT_TRUE(profile);
  write_text(profile->config_path(), R"({"server":"https://evil.example"})", 0666);
  auto config = profile->load_config();
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code(), "profile_insecure");
}

TEST(Profile, FolderResolution) {
  ScopedEnv profile_env("HIPPOCRATE_PROFILE", nullptr);
  ScopedEnv xdg("XDG_CONFIG_HOME", nullptr);
  ScopedEnv home("HOME", "/home/someone");
  EXPECT_EQ(*Profile::resolve_dir(""), fs::path("/home/someone/.config/hippocrate"));
  {
    ScopedEnv x("XDG_CONFIG_HOME", "/xdg");
    EXPECT_EQ(*Profile::resolve_dir(""), fs::path("/xdg/hippocrate"));
  }
  {
    ScopedEnv p("HIPPOCRATE_PROFILE", "/from/env");
    EXPECT_EQ(*Profile::resolve_dir(""), fs::path("/from/env"));
    EXPECT_EQ(*Profile::resolve_dir("/from/flag"), fs::path("/from/flag"));
  }
  EXPECT_EQ(*Profile::resolve_dir("rel"), fs::absolute("rel"));
}

// Passwords travel in JSON built straight into SecretBytes: the escaping must be exact.
TEST(SecretJsonBody, EscapesLikeAJsonParserExpects) {
  const std::string password = "p\"a\\s s\x01\n\tw\xc3\xa9rd/<>";
  SecretJsonBody body;
  body.add("email", "a@b.c").add("password", password).add("empty", "");
  const SecretBytes bytes = body.serialise();
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(bytes.view(), ec);
  ASSERT_FALSE(ec) << bytes.view();
  ASSERT_TRUE(parsed.is_object());
  const auto& object = parsed.get_object();
  EXPECT_EQ(object.at("email").as_string(), "a@b.c");
  EXPECT_EQ(object.at("password").as_string(), password);
  EXPECT_EQ(object.at("empty").as_string(), "");
  EXPECT_EQ(object.size(), 3u);
}

TEST(SecretJsonBody, EmptyObject) { EXPECT_EQ(SecretJsonBody().serialise().view(), "{}"); }

TEST(SecondFactorAnswer, DigitsAreATotpCodeAnythingElseARecoveryCode) {
  auto totp = classify_second_factor("123 456");
  EXPECT_EQ(totp.totp_code, "123456");
  EXPECT_TRUE(totp.recovery_code.empty());
  auto recovery = classify_second_factor("q8v1-s19j-gvrc");
  EXPECT_TRUE(recovery.totp_code.empty());
  EXPECT_EQ(recovery.recovery_code, "q8v1-s19j-gvrc");
}

// --- The server a session belongs to (profile.h, "session_server"). ---

constexpr std::string_view kCert =
    "aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11";

ProfileConfig bound_config(const SecretBytes& token) {
  ProfileConfig config;
  config.server_url = "https://clinic.example:8443";
  config.ca_file = "/etc/clinic/ca.pem";
  config.session_server =
      SessionServer{"https://clinic.example:8443", std::string(kCert), session_tag(token)};
  return config;
}

TEST(SessionServer, RoundTripsInTheConfig) {
  TempDir tmp;
  auto profile = Profile::open(tmp.path() / "p");
  ASSERT_TRUE(profile);
  const SecretBytes token = SecretBytes::from(std::string_view("token-of-the-clinic"));
  ASSERT_TRUE(profile->save_config(bound_config(token)));
  auto loaded = profile->load_config();
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  ASSERT_TRUE(loaded->session_server.has_value());
  EXPECT_EQ(loaded->session_server->url, "https://clinic.example:8443");
  EXPECT_EQ(loaded->session_server->certificate_sha256, kCert);
  EXPECT_EQ(loaded->session_server->session_tag, session_tag(token));
  // The file names the session by its tag, never by the token.
  const std::string text = *read_file(profile->config_path(), 1 << 16);
  EXPECT_EQ(text.find("token-of-the-clinic"), std::string::npos);
}

TEST(SessionServer, MalformedRecordIsReported) {
  TempDir tmp;
  auto profile = Profile::open(tmp.path() / "p");
  ASSERT_TRUE(profile);
  for (const char* text : {R"({"session_server": "x"})", R"({"session_server": {"url": 1}})",
                           R"({"session_server": {"url": "https://a"}})"}) {
    write_text(profile->config_path(), text, 0600);
    auto config = profile->load_config();
    ASSERT_FALSE(config) << text;
    EXPECT_EQ(config.error().code(), "profile_config_invalid") << text;
  }
}

TEST(SessionServer, TagNamesTheTokenWithoutRevealingIt) {
  const SecretBytes a = SecretBytes::from(std::string_view("first-token"));
  const SecretBytes b = SecretBytes::from(std::string_view("second-token"));
  EXPECT_EQ(session_tag(a), session_tag(SecretBytes::from(std::string_view("first-token"))));
  EXPECT_NE(session_tag(a), session_tag(b));
  EXPECT_EQ(session_tag(a).size(), 32u);
  EXPECT_EQ(session_tag(a).find("first"), std::string::npos);
}

TEST(SessionServer, SameServerUrlIgnoresCaseTrailingSlashAndTheDefaultPort) {
  EXPECT_TRUE(same_server_url("https://Clinic.Example/", "https://clinic.example:443"));
  EXPECT_TRUE(same_server_url("https://[::1]:8443", "https://[::1]:8443/"));
  EXPECT_FALSE(same_server_url("https://clinic.example", "https://clinic.example:8443"));
  EXPECT_FALSE(same_server_url("https://127.0.0.1:8443", "https://127.0.0.1:9443"));
  EXPECT_FALSE(same_server_url("https://[::1]", "https://[::1]:8443"));
}

TEST(SessionServer, TheIssuingServerGetsThePinToCheck) {
  const SecretBytes token = SecretBytes::from(std::string_view("t1"));
  auto pin = session_certificate_pin(bound_config(token), token, "https://clinic.example:8443/",
                                     "/etc/clinic/ca.pem");
  ASSERT_TRUE(pin) << pin.error().to_string();
  EXPECT_EQ(*pin, kCert);
  // Another CA file may vouch for the same server: the certificate pin still decides.
  pin = session_certificate_pin(bound_config(token), token, "https://clinic.example:8443",
                                "/tmp/other-ca.pem");
  ASSERT_TRUE(pin);
  EXPECT_EQ(*pin, kCert);
}

TEST(SessionServer, AnotherServerIsRefusedSayingWhatToDo) {
  const SecretBytes token = SecretBytes::from(std::string_view("t1"));
  auto pin = session_certificate_pin(bound_config(token), token, "https://127.0.0.1:9443",
                                     "/tmp/their-ca.pem");
  ASSERT_FALSE(pin);
  EXPECT_EQ(pin.error().code(), "session_other_server");
  EXPECT_EQ(pin.error().kind(), ErrorKind::kPermissionDenied);
  const std::string& message = pin.error().message();
  EXPECT_NE(message.find("https://clinic.example:8443"), std::string::npos) << message;
  EXPECT_NE(message.find("https://127.0.0.1:9443"), std::string::npos) << message;
  EXPECT_NE(message.find("hippocrate login"), std::string::npos) << message;
  EXPECT_NE(message.find("--profile"), std::string::npos) << message;
}

TEST(SessionServer, ARecordAboutAnotherSessionSendsItNowhere) {
  const SecretBytes token = SecretBytes::from(std::string_view("t1"));
  const SecretBytes replaced = SecretBytes::from(std::string_view("copied-from-elsewhere"));
  auto pin = session_certificate_pin(bound_config(token), replaced, "https://clinic.example:8443",
                                     "/etc/clinic/ca.pem");
  ASSERT_FALSE(pin);
  EXPECT_EQ(pin.error().code(), "session_server_unknown");
}

TEST(SessionServer, OlderProfilesKeepTheirServerAndCaFileOnly) {
  const SecretBytes token = SecretBytes::from(std::string_view("legacy"));
  ProfileConfig legacy;
  legacy.server_url = "https://clinic.example:8443";
  legacy.ca_file = "/etc/clinic/ca.pem";
  auto pin =
      session_certificate_pin(legacy, token, "https://clinic.example:8443", "/etc/clinic/ca.pem");
  ASSERT_TRUE(pin) << pin.error().to_string();
  EXPECT_TRUE(pin->empty());  // no certificate recorded yet: the caller records the first one
  pin = session_certificate_pin(legacy, token, "https://127.0.0.1:9443", "/etc/clinic/ca.pem");
  ASSERT_FALSE(pin);
  EXPECT_EQ(pin.error().code(), "session_other_server");
  pin = session_certificate_pin(legacy, token, "https://clinic.example:8443", "/tmp/their-ca.pem");
  ASSERT_FALSE(pin);
  EXPECT_EQ(pin.error().code(), "session_other_server");
  EXPECT_NE(pin.error().message().find("--ca-file"), std::string::npos);
  // Nothing recorded at all: log in again.
  pin = session_certificate_pin(ProfileConfig{}, token, "https://127.0.0.1:8443", "");
  ASSERT_FALSE(pin);
  EXPECT_EQ(pin.error().code(), "session_server_unknown");
  EXPECT_NE(pin.error().message().find("log in again"), std::string::npos);
}

}  // namespace
}  // namespace hippocrate::cli
