#include "server/json_body.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hippocrate::server {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxDepth = 32;
constexpr std::size_t kMaxNamedKeyBytes = 64;

// Hands blocks out from `upstream` and wipes each one before giving it back: a body's
// strings (passwords, codes) do not stay in freed memory, whoever frees them and when.
class WipingResource final : public json::memory_resource {
 public:
  explicit WipingResource(json::memory_resource* upstream)
      : upstream_(upstream != nullptr ? upstream : json::storage_ptr().get()) {}

 private:
  void* do_allocate(std::size_t n, std::size_t align) override {
    return upstream_->allocate(n, align);
  }
  void do_deallocate(void* p, std::size_t n, std::size_t align) override {
    sodium_memzero(p, n);
    upstream_->deallocate(p, n, align);
  }
  bool do_is_equal(const json::memory_resource& other) const noexcept override {
    return this == &other;
  }

  json::memory_resource* upstream_;
};

// A name as an error message may show it: short printable ASCII as is, anything else by
// its size (a client's mistake must not come back as control characters or a large echo).
std::string label(std::string_view key) {
  const bool plain =
      key.size() <= kMaxNamedKeyBytes &&
      std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  if (plain) return std::string(key);
  return "(a name of " + std::to_string(key.size()) + " bytes)";
}

void append_key(std::string& path, std::string_view key) {
  if (!path.empty()) path += '.';
  path += label(key);
}

// A basic_parser handler that builds the value like Boost.JSON's own parser (value_stack)
// and refuses, during the same single pass, what that parser would accept silently: a
// name twice in one object (it keeps the last), or a top-level value that is not an
// object. The keys of the objects still open are kept, in document order and as a stack
// (an object's keys follow those of its parents and are dropped when it ends); when an
// object ends, its keys are sorted to find a repeat: O(k log k) for k keys, whatever the
// names (no hash an attacker could make collide).
class StrictHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  explicit StrictHandler(const json::storage_ptr& sp) : stack_(sp) { stack_.reset(sp); }

  json::value release() { return stack_.release(); }
  bool not_an_object() const { return not_an_object_; }
  // The path of the first repeated name, empty when none.
  const std::string& duplicate() const { return duplicate_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }

  bool on_object_begin(json::error_code&) {
    levels_.push_back(Level{true, keys_.size(), 0, 0});
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code& ec) {
    const std::size_t first = levels_.back().first_key;
    if (n > 1) {
      if (auto repeated = first_repeat(first)) {
        duplicate_ = path_to_innermost();
        append_key(duplicate_, key(*repeated));
        return fail(ec);
      }
    }
    keys_.resize(first);
    key_chars_.resize(keys_.empty() ? 0 : keys_.back().offset + keys_.back().size);
    levels_.pop_back();
    stack_.push_object(n);
    return element_done();
  }
  bool on_array_begin(json::error_code& ec) {
    if (levels_.empty()) return refuse_root(ec);
    levels_.push_back(Level{false, keys_.size(), 0, 0});
    return true;
  }
  bool on_array_end(std::size_t n, json::error_code&) {
    levels_.pop_back();
    stack_.push_array(n);
    return element_done();
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    if (!in_key_) begin_key();
    key_chars_.append(s.data(), s.size());
    stack_.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    if (!in_key_) begin_key();
    key_chars_.append(s.data(), s.size());
    in_key_ = false;
    levels_.back().current_key = keys_.size();
    keys_.push_back(Key{key_start_, key_chars_.size() - key_start_});
    stack_.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code& ec) {
    if (levels_.empty()) return refuse_root(ec);
    stack_.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code& ec) {
    if (levels_.empty()) return refuse_root(ec);
    stack_.push_string(s);
    return element_done();
  }
  bool on_number_part(json::string_view, json::error_code& ec) {
    return levels_.empty() ? refuse_root(ec) : true;
  }
  bool on_int64(std::int64_t v, json::string_view, json::error_code& ec) {
    if (levels_.empty()) return refuse_root(ec);
    stack_.push_int64(v);
    return element_done();
  }
  bool on_uint64(std::uint64_t v, json::string_view, json::error_code& ec) {
    if (levels_.empty()) return refuse_root(ec);
    stack_.push_uint64(v);
    return element_done();
  }
  bool on_double(double v, json::string_view, json::error_code& ec) {
    if (levels_.empty()) return refuse_root(ec);
    stack_.push_double(v);
    return element_done();
  }
  bool on_bool(bool v, json::error_code& ec) {
    if (levels_.empty()) return refuse_root(ec);
    stack_.push_bool(v);
    return element_done();
  }
  bool on_null(json::error_code& ec) {
    if (levels_.empty()) return refuse_root(ec);
    stack_.push_null();
    return element_done();
  }
  // Comments are off (parse_options): never called.
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  struct Level {
    bool object;
    std::size_t first_key;    // objects: index in keys_ of their first key
    std::size_t current_key;  // objects: index in keys_ of the member being parsed
    std::size_t elements;     // arrays: the elements already complete
  };
  struct Key {
    std::size_t offset;  // in key_chars_
    std::size_t size;
  };

  static bool fail(json::error_code& ec) {
    ec = json::error::syntax;  // the caller reads which refusal from the handler
    return false;
  }
  bool refuse_root(json::error_code& ec) {
    not_an_object_ = true;
    return fail(ec);
  }
  bool element_done() {
    if (!levels_.empty() && !levels_.back().object) ++levels_.back().elements;
    return true;
  }
  void begin_key() {
    in_key_ = true;
    key_start_ = key_chars_.size();
  }
  std::string_view key(std::size_t index) const {
    return std::string_view(key_chars_).substr(keys_[index].offset, keys_[index].size);
  }

  // The index of the first key (in document order) of the innermost object, from `first`
  // on, that repeats an earlier one; none when all differ.
  std::optional<std::size_t> first_repeat(std::size_t first) {
    order_.clear();
    for (std::size_t i = first; i < keys_.size(); ++i) order_.push_back(i);
    std::sort(order_.begin(), order_.end(), [this](std::size_t a, std::size_t b) {
      const int c = key(a).compare(key(b));
      return c != 0 ? c < 0 : a < b;
    });
    // Equal keys are now adjacent, each run in document order: every key but the first of
    // its run repeats an earlier one, and the smallest such index is the first repeat.
    std::optional<std::size_t> out;
    for (std::size_t i = 1; i < order_.size(); ++i) {
      if (key(order_[i]) == key(order_[i - 1]) && (!out || order_[i] < *out)) out = order_[i];
    }
    return out;
  }

  // "a.b[2]": the members and elements leading to the innermost open object.
  std::string path_to_innermost() const {
    std::string out;
    for (std::size_t i = 0; i + 1 < levels_.size(); ++i) {
      if (levels_[i].object) {
        append_key(out, key(levels_[i].current_key));
      } else {
        out += '[' + std::to_string(levels_[i].elements) + ']';
      }
    }
    return out;
  }

  json::value_stack stack_;
  std::vector<Level> levels_;  // the objects and arrays open, outermost first
  std::vector<Key> keys_;      // the keys of the open objects (see the class comment)
  std::string key_chars_;      // names only: never a value
  std::size_t key_start_ = 0;
  bool in_key_ = false;
  std::vector<std::size_t> order_;
  std::string duplicate_;
  bool not_an_object_ = false;
};

Error malformed() {
  return Error::invalid_argument("malformed_json", "the request body is not a valid JSON object");
}

// Refuses a field `shape` does not accept, and checks the objects of the fields that
// declare their own fields. `path`: where `object` is, for the message.
Status check_fields(const json::object& object, std::span<const JsonField> shape,
                    const std::string& path) {
  for (const auto& member : object) {
    const std::string_view name(member.key().data(), member.key().size());
    const auto field = std::find_if(shape.begin(), shape.end(),
                                    [&](const JsonField& f) { return f.name == name; });
    std::string where = path;
    append_key(where, name);
    if (field == shape.end()) {
      return Error::invalid_argument("unknown_field",
                                     "the field '" + where + "' is not accepted here");
    }
    if (field->fields.empty()) continue;
    const json::value& v = member.value();
    if (v.is_object()) {
      HIPPO_RETURN_IF_ERROR(check_fields(v.get_object(), field->fields, where));
    } else if (v.is_array()) {
      const auto& a = v.get_array();
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a[i].is_object()) continue;  // the route refuses the type
        HIPPO_RETURN_IF_ERROR(
            check_fields(a[i].get_object(), field->fields, where + '[' + std::to_string(i) + ']'));
      }
    }
  }
  return ok_status();
}

}  // namespace

Result<boost::json::object> parse_json_object(std::string_view text,
                                              std::span<const JsonField> accepted,
                                              boost::json::memory_resource* upstream) {
  const json::storage_ptr sp = json::make_shared_resource<WipingResource>(upstream);
  json::parse_options options;
  options.max_depth = kMaxDepth;
  std::optional<json::object> object;
  {
    json::basic_parser<StrictHandler> parser(options, sp);
    json::error_code ec;
    const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
    if (ec || used != text.size() || !parser.done()) {
      const std::string& duplicate = parser.handler().duplicate();
      if (!duplicate.empty()) {
        return Error::invalid_argument("duplicate_field",
                                       "the field '" + duplicate + "' appears more than once");
      }
      return malformed();
    }
    json::value value = parser.handler().release();
    if (!value.is_object()) return malformed();
    object.emplace(std::move(value.get_object()));
  }
  HIPPO_RETURN_IF_ERROR(check_fields(*object, accepted, {}));
  return std::move(*object);
}

Result<boost::json::object> parse_json_body(const HttpRequest& request,
                                            std::initializer_list<JsonField> accepted) {
  const auto content_type = request.headers.get("content-type");
  const std::string_view media =
      content_type ? content_type->substr(0, content_type->find(';')) : std::string_view{};
  if (media != "application/json") {
    return Error::invalid_argument("unsupported_media_type",
                                   "the request body must be application/json");
  }
  return parse_json_object(request.body,
                           std::span<const JsonField>(accepted.begin(), accepted.size()));
}

HttpResponse json_response(int status, const boost::json::value& body) {
  HttpResponse response;
  response.status = status;
  response.body = boost::json::serialize(body);
  response.headers.set("content-type", "application/json");
  return response;
}

}  // namespace hippocrate::server
