// `hippocrate listen [--count N] [--timeout SECONDS]`: opens this device's WebSocket
// (docs/messaging.md "Live delivery"), prints each message as it arrives (the backlog
// first), and acknowledges it once the keystore holds the new session state (a message
// already received, delivered again, is acknowledged without being shown). Stops after N
// messages, after SECONDS (an error when --count was not reached), or on Ctrl-C (the
// keystore is only ever replaced atomically, so an interruption loses nothing: an
// unacknowledged message comes again). A dropped connection (server restart) is reopened
// with a growing pause until the timeout; a refusal (session ended, device revoked) stops.
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>
#include <variant>

#include "cli/client_commands.h"
#include "cli/client_message_output.h"
#include "cli/client_messaging.h"
#include "cli/client_undelivered.h"
#include "cli/output.h"
#include "client/engine/receive_batch.h"
#include "client/https_client.h"
#include "messaging/wire_frame.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;
namespace wire = messaging::wire;
using Clock = std::chrono::steady_clock;

struct ListenFlags {
  ClientFlags client;
  int count = 0;       // 0: no limit
  double timeout = 0;  // seconds; 0: none
};

// Handles one delivered envelope with the core's ReceiveBatch (client/engine/
// receive_batch.h) under the keystore lock: history, commit, print, then the Ack frame (or
// a refusal, by HTTP, of one that can never be read: its sender is told). Returns whether
// it was shown: a message this device already received (delivered again, its earlier ack
// lost) is acknowledged silently and does not count towards --count. `unread` counts the
// messages that could not be read (unreadable()). One delivered before its write is not
// stored yet and a refusal finds nothing: it comes again at the next connection and is
// refused then; one not settled (a transient failure) stays unacknowledged likewise.
Result<bool> handle_deliver(Messenger& m, client::WebSocketClient& socket, const wire::Deliver& d,
                            bool as_json, std::size_t& unread) {
  HIPPO_RETURN_IF_ERROR(m.relock());
  client::ReceiveBatch receive(m.engine(),
                               {Incoming{d.message_id, d.sender_account, d.sender_device,
                                         static_cast<std::int64_t>(d.stored_at), d.ciphertext}},
                               client::AckBy::kHost);
  std::vector<std::string> hints;
  auto show = [&]() -> Status {
    print_warnings(m.key_changes_met());
    for (const auto& o : receive.batch().opened) {
      if (o.duplicate) continue;
      if (as_json)
        print_json(opened_json(m, o));
      else
        print_opened(m, o);
    }
    for (const auto& id : receive.batch().suggest_verification) {
      std::fprintf(stderr, "hippocrate: %s\n", m.verification_hint(id).c_str());
    }
    return ok_status();
  };
  auto received = m.run(receive, show);
  m.unlock();
  if (!received) return received.error();
  unread += received->unreadable;
  if (!received->to_acknowledge.empty()) {
    HIPPO_ASSIGN_OR_RETURN(std::string ack, wire::encode(wire::Ack{received->to_acknowledge}));
    HIPPO_RETURN_IF_ERROR(socket.send(ack, true));
  }
  return std::none_of(received->opened.begin(), received->opened.end(),
                      [](const Opened& o) { return o.duplicate; });
}

// Opens this device's socket. Errors as WebSocketClient::connect ("connection_failed" while
// the server is unreachable, "upgrade_refused" when it answers no).
// The socket carries the session token: only to the server, and the certificate, that
// issued it (ClientContext::options_for_session), like every request.
Result<client::WebSocketClient> open_socket(ClientContext& context, const Messenger& m) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(client::ClientOptions options, context.options_for_session(token));
  std::string bearer = "Bearer ";
  bearer.append(token.view());
  auto socket = client::WebSocketClient::connect(
      options, "/api/v1/devices/" + m.device_id() + "/socket", {{"Authorization", bearer}});
  sodium_memzero(bearer.data(), bearer.size());
  return socket;
}

Status run_listen(ClientContext& context, const ListenFlags& flags) {
  if (flags.count < 0 || flags.timeout < 0)
    return usage_error("--count and --timeout must be positive");
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kReady));
  auto socket = open_socket(context, *m);
  if (!socket) return socket.error();
  (void)m->contacts();  // names for the senders, fetched once
  print_warnings(m->pending_key_changes());
  m->unlock();  // other commands of this profile may run meanwhile
  std::fprintf(stderr, "Listening on device %s (Ctrl-C to stop)...\n", m->device_id().c_str());

  const auto deadline = flags.timeout > 0
                            ? Clock::now() + std::chrono::milliseconds(
                                                 static_cast<std::int64_t>(flags.timeout * 1000))
                            : Clock::time_point::max();
  auto time_left = [&] {
    return deadline == Clock::time_point::max()
               ? std::chrono::milliseconds(std::chrono::hours(24))
               : std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  };
  int received = 0;
  std::size_t unread = 0;
  while (flags.count == 0 || received < flags.count) {
    const auto left = time_left();
    if (left.count() <= 0) break;
    auto message = socket->receive(left);
    if (!message) {
      if (message.error().code() == "request_timeout") break;
      // The connection dropped (a server restart, a network change): reconnect with a
      // growing pause (1, 2, 4… 30 s) until the deadline. The server keeps what arrived
      // meanwhile in the mailbox and sends it first. A refusal (session ended, device
      // revoked) is final.
      std::fprintf(stderr, "Connection lost; reconnecting...\n");
      std::chrono::milliseconds pause(1000);
      Result<client::WebSocketClient> again = Error::unavailable("connection_closed", "");
      while (time_left().count() > 0) {
        std::this_thread::sleep_for(std::min(pause, time_left()));
        again = open_socket(context, *m);
        if (again || again.error().code() != "connection_failed") break;
        pause = std::min(pause * 2, std::chrono::milliseconds(30000));
      }
      if (!again) {
        if (again.error().code() == "connection_failed" || again.error().message().empty()) break;
        return again.error();
      }
      socket = std::move(again);
      std::fprintf(stderr, "Reconnected.\n");
      continue;
    }
    if (!message->binary) continue;
    auto frame = wire::decode(message->data);
    if (!frame) return frame.error();
    if (const auto* d = std::get_if<wire::Deliver>(&*frame)) {
      HIPPO_ASSIGN_OR_RETURN(bool shown, handle_deliver(*m, *socket, *d, context.json(), unread));
      if (shown) ++received;
    } else if (const auto* e = std::get_if<wire::ErrorFrame>(&*frame)) {
      if (e->code == "messages_expired") {  // a notice: the connection stays open
        std::fprintf(stderr, "%s\n", kExpiredNotice);
        continue;
      }
      if (e->code == "messages_undelivered") {  // likewise: shown, then acknowledged
        HIPPO_ASSIGN_OR_RETURN(json::array notices, report_undelivered(*m, context.json()));
        for (auto& n : notices) print_json(json::object{{"undelivered", std::move(n)}});
        continue;
      }
      return Error::unavailable(e->code, "the server ended the live connection: " + e->code);
    }
  }
  (void)socket->close();
  if (flags.count > 0 && received < flags.count) {
    return Error::unavailable("listen_timeout", "received " + std::to_string(received) + " of " +
                                                    std::to_string(flags.count) +
                                                    " messages before the timeout");
  }
  return unreadable_status(unread);
}

}  // namespace

void add_listen_command(CLI::App& app) {
  auto flags = std::make_shared<ListenFlags>();
  auto* listen = app.add_subcommand("listen", "Print messages live as they arrive");
  listen->add_option("--count", flags->count, "Stop after N messages");
  listen->add_option("--timeout", flags->timeout, "Stop after SECONDS (an error with --count)");
  add_client_flags(listen, flags->client, false);
  listen->callback([flags] {
    throw CLI::RuntimeError(run_client_command(
        flags->client, [flags](ClientContext& c) { return run_listen(c, *flags); }));
  });
}

}  // namespace hippocrate::cli
