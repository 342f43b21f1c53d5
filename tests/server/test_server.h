// A real HttpServer on 127.0.0.1 (free port), with a development certificate in a temp dir
// and the access log captured to a file, for integration tests.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "client/https_client.h"
#include "server/http_server.h"
#include "server/self_signed_cert.h"
#include "support/temp_dir.h"

namespace hippocrate::testing {

class TestServer {
 public:
  // `router` must outlive the server. `options` address/port/certificate are filled in.
  TestServer(const server::Router& router, server::ServerOptions options = {}) {
    auto paths = server::ensure_self_signed_certificate(dir_.path() / "tls");
    if (!paths) throw std::runtime_error(paths.error().to_string());
    cert_ = paths->certificate;
    log_path_ = dir_.path() / "access.log";
    log_file_ = std::fopen(log_path_.c_str(), "w");
    log_ = std::make_unique<server::AccessLog>(log_file_);
    options.address = "127.0.0.1";
    options.port = 0;
    options.certificate = paths->certificate;
    options.private_key = paths->private_key;
    if (options.threads == 0) options.threads = 2;
    server_ = std::make_unique<server::HttpServer>(options, router, *log_);
    auto started = server_->start();
    if (!started) throw std::runtime_error(started.error().to_string());
  }
  ~TestServer() {
    stop();
    std::fclose(log_file_);
  }
  void stop() {
    if (server_) {
      server_->stop();
      server_->wait();
    }
  }

  server::HttpServer& server() { return *server_; }
  std::uint16_t port() const { return server_->port(); }
  const std::filesystem::path& ca_file() const { return cert_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  client::ClientOptions client_options() const {
    client::ClientOptions o;
    o.host = "127.0.0.1";
    o.port = port();
    o.ca_file = cert_;
    o.timeout = std::chrono::seconds(10);
    return o;
  }
  client::HttpsClient client() const { return client::HttpsClient(client_options()); }
  std::string access_log() const {
    std::fflush(log_file_);
    std::FILE* f = std::fopen(log_path_.c_str(), "r");
    std::string out;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    std::fclose(f);
    return out;
  }

 private:
  TempDir dir_;
  std::filesystem::path cert_;
  std::filesystem::path log_path_;
  std::FILE* log_file_ = nullptr;
  std::unique_ptr<server::AccessLog> log_;
  std::unique_ptr<server::HttpServer> server_;
};

}  // namespace hippocrate::testing
