// The web app's files as `hippocrate serve` answers them (src/server/web_app.h): media
// types, caching by kind, the precompressed variant the client accepts, client-side routes
// answered with index.html, and nothing outside what the build wrote (no link, no dot file,
// no path that climbs, no type the app does not serve). tests/cli/serve_e2e_test.sh checks
// the same through a running server with curl.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "server/router.h"
#include "server/web_app.h"
#include "support/temp_dir.h"

namespace hippocrate::server {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& file, const std::string& content) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
}

HttpRequest get(std::string path, std::string accept_encoding = "") {
  HttpRequest r;
  r.method = "GET";
  r.path = std::move(path);
  if (!accept_encoding.empty()) r.headers.set("accept-encoding", accept_encoding);
  return r;
}

std::string header(const HttpResponse& r, std::string_view name) {
  return std::string(r.headers.get(name).value_or(""));
}

class WebAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path root = dir_.path();
    write(root / "index.html", "<!doctype html><title>Hippocrate</title>");
    write(root / "assets/index-Ab_d-123.js", "console.log(1)");
    write(root / "assets/index-Ab_d-123.js.gz", "GZIP");
    write(root / "assets/index-Ab_d-123.js.br", "BROTLI");
    write(root / "assets/style-XyZ12345.css", "body{}");
    write(root / "favicon.ico", "ICO");
    write(root / "notes.exe", "MZ");
    write(root / ".env", "SECRET=1");
    write(root / "assets/.cache/x.js", "hidden");
    write(outside_.path() / "secret.txt", "outside");
    fs::create_symlink(outside_.path() / "secret.txt", root / "linked.txt");
    auto app = WebApp::load(root);
    ASSERT_TRUE(app.ok()) << app.error().to_string();
    app_.emplace(std::move(*app));
  }
  testing::TempDir dir_;
  testing::TempDir outside_;
  std::optional<WebApp> app_;
};

TEST_F(WebAppTest, IndexAndClientRoutesAreTheAppUncached) {
  for (const char* path : {"/", "/index.html", "/sign-in", "/patients/0123abcd/access-log"}) {
    const HttpResponse r = app_->serve(get(path));
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "<!doctype html><title>Hippocrate</title>") << path;
    EXPECT_EQ(header(r, "content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(header(r, "cache-control"), "no-store");
    EXPECT_EQ(header(r, "content-security-policy"), kWebAppCsp);
    EXPECT_EQ(header(r, "cross-origin-opener-policy"), "same-origin");
  }
  EXPECT_NE(std::string(kWebAppCsp).find("script-src 'self' 'wasm-unsafe-eval';"),
            std::string::npos);
  EXPECT_NE(std::string(kWebAppCsp).find("require-trusted-types-for 'script'"), std::string::npos);
  EXPECT_EQ(std::string(kWebAppCsp).find("unsafe-inline"), std::string::npos);
}

TEST_F(WebAppTest, HashedAssetsAreImmutableOthersRevalidated) {
  const HttpResponse js = app_->serve(get("/assets/index-Ab_d-123.js"));
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(header(js, "content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(header(js, "cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(header(js, "vary"), "Accept-Encoding");
  EXPECT_EQ(header(app_->serve(get("/assets/style-XyZ12345.css")), "content-type"),
            "text/css; charset=utf-8");
  const HttpResponse ico = app_->serve(get("/favicon.ico"));
  EXPECT_EQ(ico.status, 200);
  EXPECT_EQ(header(ico, "cache-control"), "no-cache");
  EXPECT_EQ(header(ico, "vary"), "");
}

TEST_F(WebAppTest, ThePrecompressedVariantTheClientAccepts) {
  auto with = [&](const std::string& accept) {
    return app_->serve(get("/assets/index-Ab_d-123.js", accept));
  };
  EXPECT_EQ(with("gzip, deflate, br").body, "BROTLI");
  EXPECT_EQ(header(with("gzip, deflate, br"), "content-encoding"), "br");
  EXPECT_EQ(with("gzip").body, "GZIP");
  EXPECT_EQ(header(with("gzip"), "content-encoding"), "gzip");
  EXPECT_EQ(with("br;q=0, gzip;q=0.5").body, "GZIP");
  EXPECT_EQ(with("identity").body, "console.log(1)");
  EXPECT_EQ(header(with("identity"), "content-encoding"), "");
  EXPECT_EQ(with("*").body, "BROTLI");
  EXPECT_EQ(with("br;q=0.0, gzip;q=0").body, "console.log(1)");
}

TEST_F(WebAppTest, NothingBeyondWhatTheBuildWroteIsServed) {
  for (const char* path :
       {"/notes.exe", "/.env", "/assets/.cache/x.js", "/linked.txt", "/assets/../index.html",
        "/assets/missing-12345678.js", "/index.html.gz", "/assets/index-Ab_d-123.js.br", "/..",
        "/x/..", "/assets/../../../etc/passwd", "/a//b", "/a/./b", "/a\\b", "/sign-in/"}) {
    const HttpResponse r = app_->serve(get(path));
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body.find("outside"), std::string::npos) << path;
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << path;
  }
}

TEST(WebAppLoad, AFolderWithoutIndexIsNoApp) {
  testing::TempDir dir;
  auto app = WebApp::load(dir.path());
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.error().code(), "web_app_missing");
  EXPECT_FALSE(WebApp::load(dir.path() / "nowhere").ok());
  // An index.html that is a link is not served, so there is no app (never a crash later).
  testing::TempDir elsewhere;
  write(elsewhere.path() / "index.html", "<title>elsewhere</title>");
  std::filesystem::create_symlink(elsewhere.path() / "index.html", dir.path() / "index.html");
  auto linked = WebApp::load(dir.path());
  ASSERT_FALSE(linked.ok());
  EXPECT_EQ(linked.error().code(), "web_app_missing");
}

TEST(WebAppEncoding, AcceptEncodingIsReadByTokenAndQValue) {
  EXPECT_TRUE(accepts_encoding("gzip", "gzip"));
  EXPECT_TRUE(accepts_encoding("deflate, GZIP;q=0.8", "gzip"));
  EXPECT_FALSE(accepts_encoding("gzip;q=0", "gzip"));
  EXPECT_FALSE(accepts_encoding("gzip; q=0.000", "gzip"));
  EXPECT_FALSE(accepts_encoding("x-gzip", "gzip"));
  EXPECT_FALSE(accepts_encoding("", "br"));
  EXPECT_TRUE(accepts_encoding("*;q=0.1", "br"));
  EXPECT_EQ(web_media_type("a.WASM").value_or(""), "application/wasm");
  EXPECT_FALSE(web_media_type("a.php"));
  EXPECT_FALSE(web_media_type(".js"));
}

TEST(RouterFallback, TakesUnmatchedGetsOutsideTheApiOnly) {
  Router router;
  router.add({"GET",
              "/healthz",
              std::string(kPublicAction),
              [](const RequestContext&) {
                return HttpResponse{200, {}, "ok"};
              },
              {}});
  router.add({"POST",
              "/api/v1/auth/login",
              std::string(kPublicAction),
              [](const RequestContext&) {
                return HttpResponse{200, {}, ""};
              },
              {}});
  router.set_fallback({"GET",
                       "/{app}",
                       std::string(kPublicAction),
                       [](const RequestContext&) {
                         return HttpResponse{200, {}, "app"};
                       },
                       {}});
  EXPECT_EQ(router.match("GET", "/sign-in")->route->path_template, "/{app}");
  EXPECT_EQ(router.match("GET", "/healthz")->route->path_template, "/healthz");
  EXPECT_EQ(router.match("GET", "/api/v1/nothing").error().code(), "not_found");
  EXPECT_EQ(router.match("GET", "/api").error().code(), "not_found");
  EXPECT_EQ(router.match("GET", "/api/v1/auth/login").error().code(), "method_not_allowed");
  EXPECT_EQ(router.match("POST", "/sign-in").error().code(), "not_found");
  EXPECT_THROW(router.set_fallback({"GET",
                                    "/{again}",
                                    std::string(kPublicAction),
                                    [](const RequestContext&) { return HttpResponse{}; },
                                    {}}),
               std::logic_error);
}

}  // namespace
}  // namespace hippocrate::server
