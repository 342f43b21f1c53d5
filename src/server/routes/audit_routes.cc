#include "server/routes/audit_routes.h"

#include <boost/json.hpp>

#include <charconv>

#include "access/audit_entry.h"
#include "audit/record_json.h"
#include "server/query_params.h"
#include "server/routes/route_helpers.h"
#include "server/session_guard.h"

namespace hippocrate::server {
namespace {

namespace json = boost::json;

Result<audit::AuditFilter> filter_from(std::string_view query, const auth::SessionInfo& auditor) {
  HIPPO_ASSIGN_OR_RETURN(QueryParams q, parse_query(query, {"account", "action", "resource",
                                                            "result", "from", "to", "limit"}));
  audit::AuditFilter f;
  f.organisation_id = auditor.account.organisation_id;
  auto text = [&](std::string_view key, std::optional<std::string>& out) {
    auto it = q.find(key);
    if (it != q.end() && !it->second.empty()) out = it->second;
  };
  text("account", f.account_id);
  text("action", f.action);
  text("resource", f.resource);
  text("result", f.result);
  for (std::string_view key : {"from", "to"}) {
    auto it = q.find(key);
    if (it == q.end()) continue;
    HIPPO_ASSIGN_OR_RETURN(TimePoint t, parse_rfc3339_utc(it->second));
    (key == "from" ? f.from : f.to) = t;
  }
  if (auto it = q.find("limit"); it != q.end()) {
    std::int64_t n = 0;
    const auto* end = it->second.data() + it->second.size();
    auto [p, ec] = std::from_chars(it->second.data(), end, n);
    if (ec != std::errc() || p != end) {
      return Error::invalid_argument("audit_filter_invalid", "limit must be a number (1..1000)");
    }
    f.limit = n;
  }
  return f;
}

std::string filter_summary(const audit::AuditFilter& f) {
  std::string out = "filters=";
  auto add = [&](bool set, const char* name) {
    if (set) out.append(out.back() == '=' ? "" : ",").append(name);
  };
  add(f.account_id.has_value(), "account");
  add(f.action.has_value(), "action");
  add(f.resource.has_value(), "resource");
  add(f.result.has_value(), "result");
  add(f.from.has_value(), "from");
  add(f.to.has_value(), "to");
  return out;
}

}  // namespace

void add_audit_routes(Router& router, auth::AuthService& auth, store::Store& store,
                      const audit::AuditLog& audit_log) {
  router.add(session_route(
      "GET", "/api/v1/audit/records", "audit.search", auth,
      [&store, &audit_log](const RequestContext& ctx, const auth::SessionInfo& s) {
        return or_error([&]() -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(audit::AuditFilter filter, filter_from(ctx.request.query, s));
          HIPPO_ASSIGN_OR_RETURN(auto records, audit::AuditLog::search(store, filter));
          // The search itself is on file (who looked, with which kinds of filters).
          HIPPO_RETURN_IF_ERROR(store.write([&](store::Transaction& tx) -> Status {
            auto r = access::audit_entry(s, ctx.request.remote_address, "audit.search",
                                         "organisation:" + s.account.organisation_id, "allowed",
                                         filter_summary(filter));
            return audit_log.append(tx, r);
          }));
          json::array out;
          for (const auto& stored : records) out.push_back(audit::record_json(stored));
          return json_response(200, json::object{{"records", out}});
        });
      }));
}

}  // namespace hippocrate::server
