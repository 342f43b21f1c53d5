#include "server/http_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <thread>
#include <vector>

#include "base/cpu_count.h"
#include "server/allowed_origins.h"
#include "server/connection.h"
#include "server/tls_context.h"

namespace hippocrate::server {

using namespace core;  // NOLINT: the server core's own namespace

struct HttpServer::Impl {
  Impl(ServerOptions o, const Router& router, AccessLog& log)
      : options(std::move(o)), shared(options, router, log) {}

  ServerOptions options;
  SharedState shared;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  // Runs the acceptor, signals and the shutdown drain: never a handler, so a slow request
  // cannot delay closing the listener. Declared after `contexts` so it is destroyed first:
  // a pending accept holds a socket that belongs to a worker context.
  asio::io_context control{1};
  asio::executor_work_guard<asio::io_context::executor_type> control_guard =
      asio::make_work_guard(control);
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor;
  std::unique_ptr<asio::signal_set> signals;
  std::vector<std::thread> threads;
  std::function<void()> on_shutdown;
  std::function<void(const Status&)> on_reload;
  std::once_flag stop_once;
  std::uint16_t port = 0;

  asio::awaitable<void> accept_loop() {
    std::size_t next = 0;
    for (;;) {
      auto& target = *contexts[next];
      next = (next + 1) % contexts.size();
      auto [ec, socket] =
          co_await acceptor->async_accept(target, asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (!acceptor->is_open() || shared.stopping) co_return;
        continue;  // e.g. EMFILE: keep serving the connections we have
      }
      boost::system::error_code ignored;
      socket.set_option(asio::ip::tcp::no_delay(true), ignored);
      const auto endpoint = socket.remote_endpoint(ignored);
      std::string remote = endpoint.address().is_v4() || endpoint.address().is_v6()
                               ? endpoint.address().to_string()
                               : std::string("-");
      if (endpoint.address().is_v6() && endpoint.address().to_v6().is_v4_mapped()) {
        remote =
            asio::ip::make_address_v4(asio::ip::v4_mapped, endpoint.address().to_v6()).to_string();
      }
      std::string source = remote;
      if (endpoint.address().is_v6() && !endpoint.address().to_v6().is_v4_mapped()) {
        const auto bytes = endpoint.address().to_v6().to_bytes();
        unsigned char raw[16];
        std::copy(bytes.begin(), bytes.end(), raw);
        source = source_key_v6(raw);
      }
      // Over its source's cap: closed at once, before any TLS work (connection_limits.h).
      auto slot = shared.sources.acquire(source);
      if (!slot) {
        socket.close(ignored);
        continue;
      }
      auto connection =
          make_connection(shared, std::move(socket), std::move(remote), std::move(slot));
      shared.track(connection);
      auto executor = target.get_executor();
      // The lambda (and so the connection) lives as long as the coroutine.
      asio::co_spawn(
          executor, [connection] { return connection->run(); }, asio::detached);
    }
  }

  // SIGINT/SIGTERM begin the shutdown; SIGHUP reloads the certificate (then on_reload) and
  // waits for the next signal. On the control context.
  void wait_signal() {
    signals->async_wait([this](const boost::system::error_code& sec, int signal) {
      if (sec) return;
      if (signal == SIGHUP) {
        const Status tls = reload();
        if (on_reload) on_reload(tls);
        wait_signal();
        return;
      }
      begin_stop();
    });
  }

  // A new TLS context from the files for the connections accepted from now on (any thread).
  Status reload() {
    HIPPO_ASSIGN_OR_RETURN(auto ctx, make_tls_context(options.certificate, options.private_key));
    shared.set_tls_context(std::move(ctx));
    return ok_status();
  }

  // Runs on the control context after stop(): waits for connections to end, or for the grace
  // period, then lets every thread return.
  asio::awaitable<void> drain() {
    asio::steady_timer timer(control);
    const auto deadline = std::chrono::steady_clock::now() + options.shutdown_grace;
    while (shared.live > 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    for (auto& c : contexts) c->stop();
    control.stop();
  }

  void begin_stop() {
    std::call_once(stop_once, [this] {
      shared.stopping = true;
      asio::post(control, [this] {
        boost::system::error_code ignored;
        if (acceptor) acceptor->close(ignored);
        if (signals) signals->cancel(ignored);
        if (on_shutdown) on_shutdown();
        for (auto& c : shared.snapshot()) c->shutdown();
        asio::co_spawn(control, drain(), asio::detached);
      });
    });
  }
};

HttpServer::HttpServer(ServerOptions options, const Router& router, AccessLog& access_log)
    : impl_(std::make_unique<Impl>(std::move(options), router, access_log)) {}

// stop() and wait() throw only for a bug (std::thread::join on a thread that cannot be
// joined): terminating then is right.
HttpServer::~HttpServer() {  // NOLINT(bugprone-exception-escape)
  if (!impl_->threads.empty()) {
    stop();
    wait();
  }
}

Status HttpServer::start() {
  auto& im = *impl_;
  HIPPO_RETURN_IF_ERROR(im.reload());
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(im.options.address, ec);
  if (ec) {
    return Error::invalid_argument("invalid_listen_address",
                                   "'" + im.options.address + "' is not an IP address");
  }
  unsigned threads = im.options.threads;
  if (threads == 0) threads = usable_cpu_count();  // the cores this process may run on
  for (unsigned i = 0; i < threads; ++i) {
    im.contexts.push_back(std::make_unique<asio::io_context>(1));
    im.guards.push_back(asio::make_work_guard(*im.contexts.back()));
  }
  const asio::ip::tcp::endpoint endpoint(address, im.options.port);
  im.acceptor = std::make_unique<asio::ip::tcp::acceptor>(im.control);
  const std::string where = im.options.address + ":" + std::to_string(im.options.port);
  if (im.acceptor->open(endpoint.protocol(), ec);
      !ec && (im.acceptor->set_option(asio::socket_base::reuse_address(true), ec), !ec) &&
      (im.acceptor->bind(endpoint, ec), !ec) &&
      (im.acceptor->listen(asio::socket_base::max_listen_connections, ec), !ec)) {
    im.port = im.acceptor->local_endpoint().port();
    im.shared.allowed_origins = im.options.allowed_origins;
    if (im.shared.allowed_origins.empty()) {
      im.shared.allowed_origins = default_origins(im.options.address, im.port);
    }
  } else {
    im.acceptor.reset();
    im.guards.clear();  // before their contexts: a guard's destructor touches its context
    im.contexts.clear();
    return Error::unavailable("listen_failed", "cannot listen on " + where + ": " + ec.message());
  }
  if (im.options.handle_signals) {
    im.signals = std::make_unique<asio::signal_set>(im.control, SIGINT, SIGTERM, SIGHUP);
    im.wait_signal();
  }
  asio::co_spawn(im.control, im.accept_loop(), asio::detached);
  for (auto& context : im.contexts) {
    im.threads.emplace_back([ctx = context.get()] { ctx->run(); });
  }
  im.threads.emplace_back([&control = im.control] { control.run(); });
  return ok_status();
}

std::uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::stop() {
  if (impl_->contexts.empty()) return;
  impl_->begin_stop();
}

void HttpServer::wait() {
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
}

void HttpServer::on_shutdown(std::function<void()> callback) {
  impl_->on_shutdown = std::move(callback);
}

Status HttpServer::reload_tls() { return impl_->reload(); }

void HttpServer::on_reload(std::function<void(const Status&)> callback) {
  impl_->on_reload = std::move(callback);
}

const std::vector<std::string>& HttpServer::allowed_origins() const {
  return impl_->shared.allowed_origins;
}

}  // namespace hippocrate::server
