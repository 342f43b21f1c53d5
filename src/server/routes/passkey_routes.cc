#include "server/routes/passkey_routes.h"

#include <boost/json.hpp>

#include "base/encoding.h"
#include "server/http_status.h"
#include "server/json_body.h"
#include "server/json_fields.h"
#include "server/routes/auth_routes.h"
#include "server/routes/route_helpers.h"
#include "server/session_guard.h"

namespace hippocrate::server {
namespace {

namespace json = boost::json;
using auth::SessionInfo;

// Sizes: clientDataJSON as the verification bounds it (16 KiB), CBOR inputs 64 KiB, a
// credential id 1023 bytes (§5.1), a user handle 64 (§5.4.3).
constexpr std::size_t kClientDataMax = 16 * 1024;
constexpr std::size_t kCborMax = 64 * 1024;
constexpr std::size_t kCredentialIdMax = 1023;
constexpr std::size_t kUserHandleMax = 64;
constexpr std::size_t kSignatureMax = 1024;

// RegistrationResponseJSON / AuthenticationResponseJSON (WebAuthn L3 §5.1): what
// PublicKeyCredential.toJSON() gives. The members the server does not read
// (authenticatorAttachment, clientExtensionResults, and the attestation response's
// authenticatorData, publicKey, publicKeyAlgorithm, which repeat the attestation object) are
// accepted and ignored, so that a browser's own serialisation is taken as it is.
constexpr JsonField kAttestationResponse[] = {"clientDataJSON", "attestationObject",
                                              "transports",     "authenticatorData",
                                              "publicKey",      "publicKeyAlgorithm"};
constexpr JsonField kRegistrationCredential[] = {"id",
                                                 "rawId",
                                                 "type",
                                                 {"response", kAttestationResponse},
                                                 "authenticatorAttachment",
                                                 "clientExtensionResults"};
constexpr JsonField kAssertionResponse[] = {"clientDataJSON", "authenticatorData", "signature",
                                            "userHandle"};
constexpr JsonField kAssertionCredential[] = {"id",
                                              "rawId",
                                              "type",
                                              {"response", kAssertionResponse},
                                              "authenticatorAttachment",
                                              "clientExtensionResults"};

Result<const json::object*> object_field(const json::object& body, std::string_view key) {
  const auto* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return Error::invalid_argument("missing_field",
                                   "the field '" + std::string(key) + "' is missing");
  }
  if (!v->is_object()) return invalid_field(key, "must be an object");
  return &v->get_object();
}

// id, rawId (the same bytes: id is base64url(rawId)) and type "public-key".
Result<Bytes> credential_id(const json::object& credential) {
  HIPPO_ASSIGN_OR_RETURN(Bytes raw, required_blob(credential, "rawId", kCredentialIdMax));
  HIPPO_ASSIGN_OR_RETURN(std::string id, required_string(credential, "id", 2 * kCredentialIdMax));
  if (raw.empty() || id != base64url_encode(raw)) {
    return invalid_field("id", "must be base64url of rawId");
  }
  HIPPO_ASSIGN_OR_RETURN(auto type, optional_string(credential, "type", 32));
  if (type && *type != "public-key") return invalid_field("type", "must be \"public-key\"");
  return raw;
}

Result<std::vector<std::string>> transports(const json::object& response) {
  std::vector<std::string> out;
  const auto* v = response.if_contains("transports");
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_array() || v->get_array().size() > 8) {
    return invalid_field("transports", "must be an array of at most 8 strings");
  }
  for (const auto& t : v->get_array()) {
    if (!t.is_string() || t.get_string().size() > 32) {
      return invalid_field("transports", "must be an array of short strings");
    }
    out.emplace_back(t.get_string().data(), t.get_string().size());
  }
  return out;
}

json::array descriptors_json(const std::vector<auth::PasskeyDescriptor>& list) {
  json::array out;
  for (const auto& d : list) {
    json::object o{{"type", "public-key"}, {"id", base64url_encode(d.credential_id)}};
    if (!d.transports.empty()) {
      json::array t;
      for (const auto& x : d.transports) t.emplace_back(x);
      o["transports"] = std::move(t);
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<std::string> ceremony_origins(const RequestContext& ctx,
                                          const auth::PasskeyService& passkeys) {
  if (ctx.request.allowed_origins == nullptr) return {};
  return auth::passkey_origins(*ctx.request.allowed_origins, passkeys.rp_id());
}

json::object summary_json(const auth::PasskeySummary& p) {
  json::object o{{"id", p.id},
                 {"name", p.name},
                 {"created_at", p.created_at},
                 {"backed_up", p.backed_up}};
  if (p.last_used_at) {
    o["last_used_at"] = *p.last_used_at;
  } else {
    o["last_used_at"] = nullptr;
  }
  return o;
}

}  // namespace

void add_passkey_routes(Router& router, auth::AuthService& auth, auth::PasskeyService& passkeys) {
  router.add(session_route(
      "POST", "/api/v1/me/passkeys/options", "passkey.register", auth,
      [&passkeys](const RequestContext&, const SessionInfo& s) {
        return or_error([&]() -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(auto o, passkeys.begin_registration(s));
          json::array params;
          params.push_back(json::object{{"type", "public-key"}, {"alg", -7}});  // ES256
          params.push_back(json::object{{"type", "public-key"}, {"alg", -8}});  // EdDSA
          json::object body{
              {"rp", {{"id", o.rp_id}, {"name", "Hippocrate"}}},
              {"user",
               {{"id", base64url_encode(o.user_handle)},
                {"name", o.user_name},
                {"displayName", o.user_display_name}}},
              {"challenge", base64url_encode(o.challenge)},
              {"pubKeyCredParams", std::move(params)},
              {"timeout", o.timeout_ms},
              {"excludeCredentials", descriptors_json(o.exclude)},
              {"authenticatorSelection",
               {{"residentKey", "required"},
                {"requireResidentKey", true},
                {"userVerification", o.user_verification_required ? "required" : "preferred"}}},
              {"attestation", "none"}};
          return json_response(200, body);
        });
      }));

  router.add(session_route(
      "POST", "/api/v1/me/passkeys", "passkey.register", auth,
      [&passkeys](const RequestContext& ctx, const SessionInfo& s) {
        return with_body(
            ctx, {"name", {"credential", kRegistrationCredential}},
            [&](json::object& body) -> Result<HttpResponse> {
              HIPPO_ASSIGN_OR_RETURN(std::string name, required_string(body, "name", 100));
              HIPPO_ASSIGN_OR_RETURN(const json::object* credential,
                                     object_field(body, "credential"));
              HIPPO_ASSIGN_OR_RETURN(const json::object* response,
                                     object_field(*credential, "response"));
              auth::PasskeyRegistrationResponse r;
              HIPPO_ASSIGN_OR_RETURN(r.raw_id, credential_id(*credential));
              HIPPO_ASSIGN_OR_RETURN(r.client_data_json,
                                     required_blob(*response, "clientDataJSON", kClientDataMax));
              HIPPO_ASSIGN_OR_RETURN(r.attestation_object,
                                     required_blob(*response, "attestationObject", kCborMax));
              HIPPO_ASSIGN_OR_RETURN(r.transports, transports(*response));
              const auto origins = ceremony_origins(ctx, passkeys);
              HIPPO_ASSIGN_OR_RETURN(
                  auto summary,
                  passkeys.finish_registration(s, name, r, origins, request_origin(ctx.request)));
              return json_response(201, json::object{{"id", summary.id},
                                                     {"name", summary.name},
                                                     {"created_at", summary.created_at}});
            });
      }));

  router.add(
      session_route("GET", "/api/v1/me/passkeys", "passkeys.list", auth,
                    [&passkeys](const RequestContext&, const SessionInfo& s) {
                      return or_error([&]() -> Result<HttpResponse> {
                        HIPPO_ASSIGN_OR_RETURN(auto list, passkeys.list(s));
                        json::array out;
                        for (const auto& p : list) out.push_back(summary_json(p));
                        return json_response(200, json::object{{"passkeys", std::move(out)}});
                      });
                    }));

  router.add(session_route(
      "PATCH", "/api/v1/me/passkeys/{id}", "passkey.rename", auth,
      [&passkeys](const RequestContext& ctx, const SessionInfo& s) {
        return with_body(ctx, {"name"}, [&](json::object& body) -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(std::string name, required_string(body, "name", 100));
          HIPPO_RETURN_IF_ERROR(
              passkeys.rename(s, ctx.params.at("id"), name, request_origin(ctx.request)));
          return no_content();
        });
      }));

  router.add(session_route("DELETE", "/api/v1/me/passkeys/{id}", "passkey.remove", auth,
                           [&passkeys](const RequestContext& ctx, const SessionInfo& s) {
                             return or_error([&]() -> Result<HttpResponse> {
                               HIPPO_RETURN_IF_ERROR(passkeys.remove(s, ctx.params.at("id"),
                                                                     request_origin(ctx.request)));
                               return no_content();
                             });
                           }));

  router.add(Route{
      "POST",
      "/api/v1/auth/passkey/options",
      std::string(kPublicAction),
      [&passkeys](const RequestContext& ctx) {
        return with_body(ctx, {"email"}, [&](json::object& body) -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(auto email, optional_string(body, "email", 320));
          HIPPO_ASSIGN_OR_RETURN(auto o,
                                 passkeys.begin_sign_in(email, request_origin(ctx.request)));
          return json_response(200, json::object{{"challenge", base64url_encode(o.challenge)},
                                                 {"timeout", o.timeout_ms},
                                                 {"rpId", o.rp_id},
                                                 {"allowCredentials", descriptors_json(o.allow)},
                                                 {"userVerification", "preferred"}});
        });
      },
      {}});

  router.add(Route{
      "POST",
      "/api/v1/auth/passkey",
      std::string(kPublicAction),
      [&auth, &passkeys](const RequestContext& ctx) {
        return with_body(
            ctx, {{"credential", kAssertionCredential}},
            [&](json::object& body) -> Result<HttpResponse> {
              HIPPO_ASSIGN_OR_RETURN(const json::object* credential,
                                     object_field(body, "credential"));
              HIPPO_ASSIGN_OR_RETURN(const json::object* response,
                                     object_field(*credential, "response"));
              auth::PasskeyAssertionResponse r;
              HIPPO_ASSIGN_OR_RETURN(r.raw_id, credential_id(*credential));
              HIPPO_ASSIGN_OR_RETURN(r.client_data_json,
                                     required_blob(*response, "clientDataJSON", kClientDataMax));
              HIPPO_ASSIGN_OR_RETURN(r.authenticator_data,
                                     required_blob(*response, "authenticatorData", kCborMax));
              HIPPO_ASSIGN_OR_RETURN(r.signature,
                                     required_blob(*response, "signature", kSignatureMax));
              HIPPO_ASSIGN_OR_RETURN(r.user_handle,
                                     optional_blob(*response, "userHandle", kUserHandleMax));
              const auto origins = ceremony_origins(ctx, passkeys);
              HIPPO_ASSIGN_OR_RETURN(auto login,
                                     passkeys.sign_in(r, origins, request_origin(ctx.request)));
              return login_response(auth, login, 201);
            });
      },
      {}});
}

}  // namespace hippocrate::server
