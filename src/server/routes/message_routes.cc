#include "server/routes/message_routes.h"

#include <boost/json.hpp>
#include <charconv>
#include <cstdint>
#include <functional>
#include <utility>

#include "base/ids.h"
#include "messaging/wire_frame.h"
#include "server/json_fields.h"
#include "server/query_params.h"
#include "server/routes/messaging_helpers.h"
#include "server/routes/route_helpers.h"
#include "server/session_guard.h"

namespace hippocrate::server {
namespace {

namespace json = boost::json;
namespace wire = messaging::wire;

// The objects inside message bodies (parse_json_body checks their fields).
constexpr JsonField kEnvelope[] = {"device_id", "ciphertext"};

// "?limit=N" (1..100, default 100). Errors: "invalid_query" (400); an out-of-range
// number is refused by the mailbox ("invalid_field").
Result<std::size_t> fetch_limit(std::string_view query) {
  HIPPO_ASSIGN_OR_RETURN(auto params, parse_query(query, {"limit"}));
  auto it = params.find("limit");
  if (it == params.end()) return messaging::kMaxFetch;
  std::size_t n = 0;
  const auto& text = it->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return invalid_field("limit", "must be a number between 1 and 100");
  }
  return n;
}

Result<messaging::SendRequest> send_request(const json::object& body) {
  messaging::SendRequest request;
  HIPPO_ASSIGN_OR_RETURN(request.message_id, required_string(body, "message_id", kIdHexLength));
  HIPPO_ASSIGN_OR_RETURN(request.recipient, required_string(body, "recipient", kIdHexLength));
  HIPPO_ASSIGN_OR_RETURN(request.sender_device,
                         required_string(body, "sender_device", kIdHexLength));
  const auto* envelopes = body.if_contains("envelopes");
  if (envelopes == nullptr || !envelopes->is_array() ||
      envelopes->get_array().size() > wire::kMaxEnvelopes) {
    return invalid_field("envelopes", "must be an array of at most 32");
  }
  for (const auto& e : envelopes->get_array()) {
    if (!e.is_object()) return invalid_field("envelopes", "must hold objects");
    HIPPO_ASSIGN_OR_RETURN(std::string device,
                           required_string(e.get_object(), "device_id", kIdHexLength));
    HIPPO_ASSIGN_OR_RETURN(Bytes ciphertext,
                           required_blob(e.get_object(), "ciphertext", wire::kMaxCiphertextBytes));
    request.envelopes.push_back({std::move(device), std::move(ciphertext)});
  }
  return request;
}

Result<messaging::UndeliveredReason> reason_field(const json::object& body) {
  const auto* word = body.if_contains("reason");
  const auto reason = word != nullptr && word->is_string()
                          ? messaging::refusal_reason(word->as_string())
                          : std::nullopt;
  if (!reason) return invalid_field("reason", "must be undecryptable or sender_unverified");
  return *reason;
}

// Deletes what one's device acknowledges: the ids of `ack`.
using AckFunction = std::function<Result<std::int64_t>(
    const messaging::Actor&, const std::string& device_id, const std::vector<std::string>& ids)>;

// POST PATH {"message_ids": [id...]} (at most kMaxAck) → 200 {"deleted": n}.
Route ack_route(std::string path, std::string action, auth::AuthService& auth, AckFunction ack) {
  return session_route(
      "POST", std::move(path), std::move(action), auth,
      [ack = std::move(ack)](const RequestContext& ctx, const auth::SessionInfo& s) {
        return with_body(ctx, {"message_ids"}, [&](json::object& body) -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(auto ids, required_ids(body, "message_ids", messaging::kMaxAck));
          HIPPO_ASSIGN_OR_RETURN(std::int64_t deleted,
                                 ack(actor_of(ctx, s), ctx.params.at("device_id"), ids));
          return json_response(200, json::object{{"deleted", deleted}});
        });
      });
}

}  // namespace

void add_message_routes(Router& router, auth::AuthService& auth, messaging::MessagingService& svc) {
  router.add(session_route(
      "POST", "/api/v1/messages", "message.send", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        return with_body(
            ctx, {"message_id", "recipient", "sender_device", {"envelopes", kEnvelope}},
            [&](json::object& body) -> Result<HttpResponse> {
              HIPPO_ASSIGN_OR_RETURN(messaging::SendRequest request, send_request(body));
              HIPPO_ASSIGN_OR_RETURN(messaging::SendResult sent,
                                     svc.mailbox().send(actor_of(ctx, s), request));
              if (sent.mismatch) return mismatch_response(*sent.mismatch);
              // A session that sends as its device is that device's from now on. The send is
              // stored either way; a binding lost to a revocation in between changes nothing
              // (the revocation ended the sessions bound by then, and this device is gone).
              if (s.device_id.empty()) {
                (void)svc.devices().bind_session(actor_of(ctx, s), request.sender_device);
              }
              return json_response(201, json::object{{"message_id", sent.message_id},
                                                     {"stored_at", sent.stored_at}});
            });
      }));
  router.add(session_route(
      "GET", "/api/v1/devices/{device_id}/messages", "message.fetch", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        return or_error([&]() -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(std::size_t limit, fetch_limit(ctx.request.query));
          const std::string& device_id = ctx.params.at("device_id");
          if (s.device_id.empty()) {
            HIPPO_RETURN_IF_ERROR(svc.devices().bind_session(actor_of(ctx, s), device_id));
          }
          HIPPO_ASSIGN_OR_RETURN(messaging::FetchResult got,
                                 svc.mailbox().fetch(actor_of(ctx, s), device_id, limit, "http", 0,
                                                     /*report_expired=*/true));
          json::array messages;
          for (const auto& m : got.messages) {
            messages.push_back(json::object{{"message_id", m.message_id},
                                            {"sender", m.sender},
                                            {"sender_device", m.sender_device},
                                            {"stored_at", m.stored_at},
                                            {"ciphertext", base64url_encode(m.ciphertext)}});
          }
          return json_response(200, json::object{{"messages", std::move(messages)},
                                                 {"more", got.more},
                                                 {"expired", got.expired},
                                                 {"undelivered", got.undelivered}});
        });
      }));
  router.add(session_route(
      "GET", "/api/v1/devices/{device_id}/undelivered", "message.undelivered", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        return or_error([&]() -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(std::size_t limit, fetch_limit(ctx.request.query));
          HIPPO_ASSIGN_OR_RETURN(
              messaging::UndeliveredList got,
              svc.undelivered().list(actor_of(ctx, s), ctx.params.at("device_id"), limit));
          json::array notices;
          for (const auto& n : got.notices) {
            notices.push_back(json::object{{"message_id", n.message_id},
                                           {"recipient", n.recipient},
                                           {"sent_at", n.sent_at},
                                           {"reason", messaging::reason_name(n.reason)},
                                           {"devices", n.devices},
                                           {"expired_at", n.expired_at}});
          }
          return json_response(
              200, json::object{{"undelivered", std::move(notices)}, {"more", got.more}});
        });
      }));
  router.add(ack_route("/api/v1/devices/{device_id}/undelivered/ack", "message.undelivered_ack",
                       auth, [&svc](const auto& actor, const auto& device_id, const auto& ids) {
                         return svc.undelivered().ack(actor, device_id, ids);
                       }));
  router.add(ack_route("/api/v1/devices/{device_id}/messages/ack", "message.ack", auth,
                       [&svc](const auto& actor, const auto& device_id, const auto& ids) {
                         return svc.mailbox().ack(actor, device_id, ids);
                       }));
  router.add(session_route(
      "POST", "/api/v1/devices/{device_id}/messages/refuse", "message.refuse", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        return with_body(
            ctx, {"message_ids", "reason"}, [&](json::object& body) -> Result<HttpResponse> {
              HIPPO_ASSIGN_OR_RETURN(auto ids,
                                     required_ids(body, "message_ids", messaging::kMaxAck));
              HIPPO_ASSIGN_OR_RETURN(messaging::UndeliveredReason reason, reason_field(body));
              HIPPO_ASSIGN_OR_RETURN(
                  std::int64_t refused,
                  svc.mailbox().refuse(actor_of(ctx, s), ctx.params.at("device_id"), ids, reason));
              return json_response(200, json::object{{"refused", refused}});
            });
      }));
}

}  // namespace hippocrate::server
