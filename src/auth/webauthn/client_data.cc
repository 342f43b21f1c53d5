#include "auth/webauthn/client_data.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse_options.hpp>

#include <algorithm>
#include <string_view>
#include <vector>

#include "auth/webauthn/errors.h"
#include "base/encoding.h"
#include "crypto/compare.h"

namespace hippocrate::auth::webauthn {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxDepth = 16;
constexpr std::size_t kMaxMembers = 256;

Error malformed(std::string message) { return refusal(kMalformed, std::move(message)); }

// A boost::json::basic_parser handler that builds no document: it keeps the names of the open
// objects (to refuse a repeat, at any depth) and the five top-level members §5.8.1 defines.
class ClientDataHandler {
 public:
  static constexpr std::size_t max_object_size = kMaxMembers;
  static constexpr std::size_t max_array_size = kMaxMembers;
  static constexpr std::size_t max_key_size = kMaxClientDataJsonBytes;
  static constexpr std::size_t max_string_size = kMaxClientDataJsonBytes;

  bool duplicate() const { return duplicate_; }
  bool not_an_object() const { return not_an_object_; }
  CollectedClientData& result() { return result_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    value_begins(ClientDataMember::Kind::kOther);
    levels_.push_back(Level{true, {}});
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    levels_.pop_back();
    return true;
  }
  bool on_array_begin(json::error_code& ec) {
    if (levels_.empty()) return refuse_root(ec);
    value_begins(ClientDataMember::Kind::kOther);
    levels_.push_back(Level{false, {}});
    return true;
  }
  bool on_array_end(std::size_t, json::error_code&) {
    levels_.pop_back();
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key_.append(s.data(), s.size());
    auto& keys = levels_.back().keys;
    if (std::find(keys.begin(), keys.end(), key_) != keys.end()) {
      duplicate_ = true;
      ec = json::error::syntax;
      return false;
    }
    keys.push_back(key_);
    if (levels_.size() == 1) member_ = member_for(key_);
    key_.clear();
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code& ec) {
    if (levels_.empty()) return refuse_root(ec);
    if (levels_.size() == 1) text_.append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code& ec) {
    if (levels_.empty()) return refuse_root(ec);
    if (levels_.size() == 1) {
      text_.append(s.data(), s.size());
      if (member_ != nullptr) {
        member_->kind = ClientDataMember::Kind::kString;
        member_->text = std::move(text_);
      }
      text_.clear();
    }
    return true;
  }
  bool on_number_part(json::string_view, json::error_code& ec) {
    return levels_.empty() ? refuse_root(ec) : true;
  }
  bool on_int64(std::int64_t, json::string_view, json::error_code& ec) { return scalar(ec); }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code& ec) { return scalar(ec); }
  bool on_double(double, json::string_view, json::error_code& ec) { return scalar(ec); }
  bool on_null(json::error_code& ec) { return scalar(ec); }
  bool on_bool(bool v, json::error_code& ec) {
    if (levels_.empty()) return refuse_root(ec);
    if (levels_.size() == 1 && member_ != nullptr) {
      member_->kind = ClientDataMember::Kind::kBool;
      member_->boolean = v;
    }
    return true;
  }
  // Comments are off (parse_options): never called.
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  struct Level {
    bool object;
    std::vector<std::string> keys;  // objects: the names seen so far
  };

  ClientDataMember* member_for(std::string_view name) {
    if (name == "type") return &result_.type;
    if (name == "challenge") return &result_.challenge;
    if (name == "origin") return &result_.origin;
    if (name == "crossOrigin") return &result_.cross_origin;
    if (name == "topOrigin") return &result_.top_origin;
    return nullptr;
  }
  // A value starts: at the top level, the current member's kind (containers, numbers, null).
  void value_begins(ClientDataMember::Kind kind) {
    if (levels_.size() == 1 && member_ != nullptr) member_->kind = kind;
  }
  bool scalar(json::error_code& ec) {
    if (levels_.empty()) return refuse_root(ec);
    value_begins(ClientDataMember::Kind::kOther);
    return true;
  }
  bool refuse_root(json::error_code& ec) {
    not_an_object_ = true;
    ec = json::error::syntax;
    return false;
  }

  std::vector<Level> levels_;
  std::string key_;
  std::string text_;
  ClientDataMember* member_ = nullptr;
  CollectedClientData result_;
  bool duplicate_ = false;
  bool not_an_object_ = false;
};

bool allowed(const ClientDataMember& m, std::span<const std::string> origins) {
  return m.kind == ClientDataMember::Kind::kString &&
         std::find(origins.begin(), origins.end(), m.text) != origins.end();
}

}  // namespace

Result<CollectedClientData> parse_client_data(std::span<const std::uint8_t> client_data_json) {
  if (client_data_json.size() > kMaxClientDataJsonBytes) {
    return malformed("the client data is too large");
  }
  std::string_view text(reinterpret_cast<const char*>(client_data_json.data()),
                        client_data_json.size());
  // WHATWG Encoding "UTF-8 decode" (§7.1, §7.2) strips one leading byte order mark.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  json::parse_options options;
  options.max_depth = kMaxDepth;
  options.allow_comments = false;
  options.allow_trailing_commas = false;
  options.allow_invalid_utf8 = false;
  json::basic_parser<ClientDataHandler> parser(options);
  json::error_code ec;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (ec || used != text.size() || !parser.done()) {
    if (parser.handler().duplicate()) {
      return malformed("a name appears twice in an object of the client data");
    }
    if (parser.handler().not_an_object()) return malformed("the client data is not an object");
    return malformed("the client data is not valid JSON");
  }
  return std::move(parser.handler().result());
}

Status verify_client_data(std::span<const std::uint8_t> client_data_json,
                          const ClientDataExpectation& expected) {
  HIPPO_ASSIGN_OR_RETURN(const CollectedClientData c, parse_client_data(client_data_json));
  using Kind = ClientDataMember::Kind;

  const std::string_view type =
      expected.ceremony == Ceremony::kRegistration ? "webauthn.create" : "webauthn.get";
  if (c.type.kind != Kind::kString || c.type.text != type) {
    return refusal(kType, "the client data is not of this ceremony's type");
  }

  if (expected.challenge.size() < kMinChallengeBytes) {
    return refusal(kChallenge, "the expected challenge is shorter than 16 bytes");
  }
  const std::string challenge = base64url_encode(expected.challenge);
  if (c.challenge.kind != Kind::kString ||
      !crypto::constant_time_equals(as_bytes(challenge), as_bytes(c.challenge.text))) {
    return refusal(kChallenge, "the client data does not hold the challenge of this ceremony");
  }

  if (!allowed(c.origin, expected.allowed_origins)) {
    return refusal(kOrigin, "the client data's origin is not an allowed origin");
  }

  if (c.cross_origin.kind != Kind::kAbsent &&
      (c.cross_origin.kind != Kind::kBool || c.cross_origin.boolean)) {
    return refusal(kCrossOrigin, "the ceremony ran in a frame of another origin");
  }

  if (c.top_origin.kind != Kind::kAbsent && !allowed(c.top_origin, expected.allowed_origins)) {
    return refusal(kTopOrigin, "the client data's top origin is not an allowed origin");
  }
  return ok_status();
}

}  // namespace hippocrate::auth::webauthn
