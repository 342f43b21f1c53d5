#include "cli/audit_search.h"

#include <cstdio>

#include "audit/record_json.h"
#include "base/clock.h"
#include "cli/client_context.h"
#include "cli/output.h"
#include "store/store.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

std::string percent_encode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

struct SearchFlags {
  ClientFlags client;
  AuditSearchOptions options;
};

Status run_search(ClientContext& context, const AuditSearchOptions& options) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(
      json::object answer,
      context.call("GET", "/api/v1/audit/records" + to_query(options), {}, &token));
  if (context.json()) {
    print_json(answer);
    return ok_status();
  }
  const auto* records = answer.if_contains("records");
  print_audit_records(records != nullptr && records->is_array() ? records->as_array()
                                                                : json::array{});
  return ok_status();
}

}  // namespace

void add_audit_search_options(CLI::App* command, AuditSearchOptions& o) {
  command->add_option("--account", o.account, "Records of this acting account id");
  command->add_option("--action", o.action, "Only this action, e.g. patient.read");
  command->add_option("--resource", o.resource, "Only this resource, e.g. patient:ID");
  command->add_option("--result", o.result, "allowed, denied, succeeded or failed");
  command->add_option("--from", o.from, "From this time (YYYY-MM-DD[THH:MM:SSZ], UTC)");
  command->add_option("--to", o.to, "Before this time");
  command->add_option("--limit", o.limit, "At most this many records (1..1000, default 50)");
}

Result<audit::AuditFilter> to_filter(const AuditSearchOptions& o) {
  audit::AuditFilter f;
  auto text = [](const std::string& v) {
    return v.empty() ? std::nullopt : std::optional<std::string>(v);
  };
  f.account_id = text(o.account);
  f.action = text(o.action);
  f.resource = text(o.resource);
  f.result = text(o.result);
  if (!o.from.empty()) {
    HIPPO_ASSIGN_OR_RETURN(f.from, parse_rfc3339_utc(o.from));
  }
  if (!o.to.empty()) {
    HIPPO_ASSIGN_OR_RETURN(f.to, parse_rfc3339_utc(o.to));
  }
  f.limit = o.limit;
  return f;
}

std::string to_query(const AuditSearchOptions& o) {
  std::string q;
  auto add = [&](const char* key, const std::string& value) {
    if (value.empty()) return;
    q.append(q.empty() ? "?" : "&").append(key).append("=").append(percent_encode(value));
  };
  add("account", o.account);
  add("action", o.action);
  add("resource", o.resource);
  add("result", o.result);
  add("from", o.from);
  add("to", o.to);
  add("limit", std::to_string(o.limit));
  return q;
}

void print_audit_records(const json::array& records) {
  if (records.empty()) {
    std::printf("No matching audit record.\n");
    return;
  }
  std::printf("%-8s  %-24s  %-32s  %-24s  %-40s  %-9s  %s\n", "SEQ", "WHEN", "ACCOUNT", "ACTION",
              "RESOURCE", "RESULT", "DETAIL");
  for (const auto& item : records) {
    if (!item.is_object()) continue;
    const auto& r = item.as_object();
    // Shown in local time with its zone (the JSON keeps the UTC timestamp).
    // Records say "2026-12-07T15:05:03.123Z"; the seconds are enough here.
    std::string when = json_string(r, "at");
    const std::string whole_seconds = when.substr(0, when.find('.')) + "Z";
    if (auto at = parse_rfc3339_utc(when.find('.') == std::string::npos ? when : whole_seconds)) {
      when = format_time(unix_seconds(*at));
    }
    std::printf("%-8lld  %-24s  %-32s  %-24s  %-40s  %-9s  %s\n",
                static_cast<long long>(json_int(r, "seq")), when.c_str(),
                json_string(r, "account_id").c_str(), json_string(r, "action").c_str(),
                json_string(r, "resource").c_str(), json_string(r, "result").c_str(),
                json_string(r, "detail").c_str());
  }
}

int run_offline_audit_search(const std::string& database_url, const AuditSearchOptions& options,
                             bool as_json) {
  auto run = [&]() -> Status {
    HIPPO_ASSIGN_OR_RETURN(audit::AuditFilter filter, to_filter(options));
    store::StoreOptions store_options;
    store_options.url = database_url;
    HIPPO_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db, store::open_store(store_options));
    HIPPO_ASSIGN_OR_RETURN(auto records, audit::AuditLog::search(*db, filter));
    json::array out;
    for (const auto& r : records) out.push_back(audit::record_json(r));
    if (as_json) {
      print_json(json::object{{"records", out}});
    } else {
      print_audit_records(out);
    }
    return ok_status();
  };
  const Status done = run();
  return done ? 0 : report_error(done.error(), as_json);
}

void add_audit_commands(CLI::App& app) {
  auto* audit_cmd = app.add_subcommand("audit", "Your organisation's audit trail (auditors)");
  audit_cmd->require_subcommand(1);
  auto flags = std::make_shared<SearchFlags>();
  auto* search = audit_cmd->add_subcommand("search", "Search the audit records");
  add_audit_search_options(search, flags->options);
  add_client_flags(search, flags->client, false);
  search->callback([flags] {
    throw CLI::RuntimeError(run_client_command(
        flags->client, [flags](ClientContext& c) { return run_search(c, flags->options); }));
  });
}

}  // namespace hippocrate::cli
