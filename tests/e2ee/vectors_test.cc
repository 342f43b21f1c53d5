// Protocol test vectors (docs/protocol.md §11): tests/vectors/e2ee/*.json hold fixed inputs —
// every private key, including each ratchet key a party generates, in order — and the
// expected outputs. Each test recomputes the outputs from the inputs and compares them byte
// for byte, so another implementation (the TypeScript client) can prove compatibility.
// HIPPOCRATE_REGENERATE_VECTORS=1 rewrites the files from seeded inputs instead.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/files.h"
#include "crypto/hash.h"
#include "e2ee/envelope.h"
#include "e2ee/message_content.h"
#include "e2ee/safety_number.h"
#include "e2ee/session_cipher.h"
#include "e2ee/x3dh.h"
#include "support/result_matchers.h"

namespace hippocrate::e2ee {
namespace {

namespace json = boost::json;

bool regenerating() {
  const char* v = std::getenv("HIPPOCRATE_REGENERATE_VECTORS");
  return v != nullptr && std::string_view(v) == "1";
}

std::filesystem::path vector_path(std::string_view name) {
  return std::filesystem::path(HIPPOCRATE_TEST_DATA) / "vectors" / "e2ee" / name;
}

json::string hx(std::span<const std::uint8_t> b) { return json::string(hex_encode(b)); }
Bytes unhex(const json::value& v) { return *hex_decode(std::string_view(v.as_string())); }
SecretBytes secret(const json::value& v) { return SecretBytes::from(unhex(v)); }
std::string str(const json::value& v) { return std::string(v.as_string()); }
std::uint64_t num(const json::value& v) { return v.to_number<std::uint64_t>(); }

// 32 bytes derived from a label: readable, reproducible regeneration inputs.
json::string seed_hex(std::string_view label) { return hx(*crypto::blake2b(as_bytes(label), 32)); }

// Replays the keys listed in a vector file, or (when regenerating) derives and records them.
class VectorKeys final : public KeySource {
 public:
  VectorKeys(std::string label, const json::array* replay)
      : label_(std::move(label)), replay_(replay) {}
  crypto::X25519KeyPair generate_x25519() override {
    SecretBytes priv;
    if (replay_ != nullptr) {
      if (next_ >= replay_->size()) {
        ADD_FAILURE() << label_ << ": the implementation asked for more keys than the vector lists";
        priv = SecretBytes(32);
      } else {
        priv = secret((*replay_)[next_]);
      }
    } else {
      priv = SecretBytes::from(
          *crypto::blake2b(as_bytes(label_ + " key " + std::to_string(next_)), 32));
    }
    ++next_;
    recorded_.emplace_back(hx(priv.span()));
    auto pub = crypto::x25519_public_key(priv);
    return {std::move(priv), *pub};
  }
  json::array recorded() const { return recorded_; }
  std::size_t used() const { return next_; }

 private:
  std::string label_;
  const json::array* replay_;
  std::size_t next_ = 0;
  json::array recorded_;
};

// Indented JSON, one field per line, so diffs of the vector files stay readable.
void pretty(std::ostream& os, const json::value& v, int indent = 0) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  if (v.is_object()) {
    const auto& o = v.as_object();
    if (o.empty()) {
      os << "{}";
      return;
    }
    os << "{\n";
    std::size_t i = 0;
    for (const auto& kv : o) {
      os << pad << "  " << json::serialize(json::string(kv.key())) << ": ";
      pretty(os, kv.value(), indent + 2);
      os << (++i < o.size() ? ",\n" : "\n");
    }
    os << pad << "}";
  } else if (v.is_array()) {
    const auto& a = v.as_array();
    if (a.empty()) {
      os << "[]";
      return;
    }
    os << "[\n";
    for (std::size_t i = 0; i < a.size(); ++i) {
      os << pad << "  ";
      pretty(os, a[i], indent + 2);
      os << (i + 1 < a.size() ? ",\n" : "\n");
    }
    os << pad << "]";
  } else {
    os << json::serialize(v);
  }
}

// Regenerates (writes) or loads the file.
json::object load_or_write(std::string_view name, const json::object& generated) {
  if (regenerating()) {
    std::ostringstream os;
    pretty(os, generated);
    os << "\n";
    const std::string text = os.str();
    EXPECT_OK(write_file_atomic(vector_path(name), as_bytes(text), 0644));
    return generated;
  }
  auto text = read_file(vector_path(name), 1 << 24);
  EXPECT_TRUE(text.ok()) << "missing " << name;
  if (!text.ok()) return {};
  return json::parse(*text).as_object();
}

// --- fixed identities ---------------------------------------------------------------------

json::object party_inputs(std::string_view name, std::string_view account_id,
                          std::string_view device_id) {
  return {{"account_id", account_id},
          {"device_id", device_id},
          {"signing_seed", seed_hex(std::string(name) + " signing seed")},
          {"dh_private", seed_hex(std::string(name) + " identity dh")},
          {"account_key_seed", seed_hex(std::string(name) + " account key")}};
}

json::object fixed_inputs() {
  json::object bob =
      party_inputs("bob", "b0b00000000000000000000000000001", "b0b000000000000000000000000000d1");
  bob["signed_prekey"] = json::object{{"id", 7},
                                      {"created_at", 1780000000},
                                      {"private", seed_hex("bob signed prekey")}};
  bob["one_time_prekey"] = json::object{{"id", 42}, {"private", seed_hex("bob one-time prekey")}};
  return {{"alice", party_inputs("alice", "a11ce000000000000000000000000001",
                                 "a11ce0000000000000000000000000d1")},
          {"bob", bob},
          {"now", 1780086400},
          {"device_list_version", 1},
          {"device_list_issued_at", 1780000000}};
}

struct Party {
  DeviceIdentity device;
  AccountKey account_key;
  DeviceList list;
  Bytes signed_list;
};

Party make_party(const json::object& in, const json::object& common) {
  Party p;
  p.device =
      *device_identity_from_secrets(str(in.at("account_id")), str(in.at("device_id")),
                                    secret(in.at("signing_seed")), secret(in.at("dh_private")));
  p.account_key =
      *account_key_from_seed(str(in.at("account_id")), secret(in.at("account_key_seed")));
  p.list = {str(in.at("account_id")),
            num(common.at("device_list_version")),
            num(common.at("device_list_issued_at")),
            {p.device.pub}};
  p.signed_list = *sign_device_list(p.account_key, p.list);
  return p;
}

struct BobPrekeys {
  PrekeyStore store;
  PrekeyBundle bundle;
};

BobPrekeys make_bob_prekeys(const Party& bob, const json::object& in, bool with_one_time) {
  const auto& s = in.at("signed_prekey").as_object();
  BobPrekeys out;
  SignedPrekey spk =
      *signed_prekey_from_secret(bob.device, static_cast<std::uint32_t>(num(s.at("id"))),
                                 num(s.at("created_at")), secret(s.at("private")));
  out.bundle.identity = bob.device.pub;
  out.bundle.signed_prekey = spk.pub;
  out.store.signed_prekeys.push_back(std::move(spk));
  const auto& o = in.at("one_time_prekey").as_object();
  SecretBytes otp_priv = secret(o.at("private"));
  OneTimePrekey otp{
      {static_cast<std::uint32_t>(num(o.at("id"))), *crypto::x25519_public_key(otp_priv)},
      share(std::move(otp_priv))};
  if (with_one_time) out.bundle.one_time_prekey = otp.pub;
  out.store.one_time_prekeys.push_back(std::move(otp));
  return out;
}

json::object identity_outputs(const Party& p) {
  return {{"signing_public", hx(p.device.pub.signing_key)},
          {"dh_public", hx(p.device.pub.dh_key)},
          {"device_identity", hx(encode_device_identity(p.device.pub))},
          {"account_public", hx(p.account_key.public_key)},
          {"signed_device_list", hx(p.signed_list)}};
}

// --- x3dh.json ----------------------------------------------------------------------------

json::object x3dh_case(const json::object& inputs, bool with_one_time, json::object* keys_out,
                       const json::array* replay) {
  const auto& common = inputs;
  Party alice = make_party(inputs.at("alice").as_object(), common);
  Party bob = make_party(inputs.at("bob").as_object(), common);
  BobPrekeys prekeys = make_bob_prekeys(bob, inputs.at("bob").as_object(), with_one_time);
  VectorKeys keys("x3dh alice " + std::to_string(with_one_time), replay);
  auto init = x3dh_initiate(alice.device, prekeys.bundle, keys);
  EXPECT_OK(init);
  if (keys_out != nullptr) (*keys_out)["alice_generated_keys"] = keys.recorded();
  // Bob derives the same key.
  const SecretBytes* otp =
      with_one_time ? prekeys.store.one_time_prekeys[0].private_key.get() : nullptr;
  auto resp = x3dh_respond(bob.device, alice.device.pub, init->ephemeral_key,
                           *prekeys.store.signed_prekeys[0].private_key, otp);
  EXPECT_OK(resp);
  EXPECT_TRUE(resp->shared_key->constant_time_equals(init->result.shared_key->span()));
  // The DH outputs, for implementers debugging their own (X3DH §3.3).
  const auto eph_priv = secret(keys.recorded()[0]);
  const auto& spk = prekeys.bundle.signed_prekey.public_key;
  json::object out{
      {"alice", identity_outputs(alice)},
      {"bob", identity_outputs(bob)},
      {"bundle", hx(encode_bundle(prekeys.bundle))},
      {"ephemeral_public", hx(init->ephemeral_key)},
      {"dh1", hx(crypto::x25519_shared_secret(*alice.device.dh.private_key, spk)->span())},
      {"dh2", hx(crypto::x25519_shared_secret(eph_priv, bob.device.pub.dh_key)->span())},
      {"dh3", hx(crypto::x25519_shared_secret(eph_priv, spk)->span())},
      {"shared_key", hx(init->result.shared_key->span())},
      {"associated_data", hx(init->result.associated_data)}};
  Writer spk_bytes;
  write_signed_prekey(spk_bytes, prekeys.bundle.signed_prekey);
  out["signed_prekey"] = hx(spk_bytes.view());
  if (with_one_time) {
    out["dh4"] = hx(
        crypto::x25519_shared_secret(eph_priv, prekeys.bundle.one_time_prekey->public_key)->span());
  }
  return out;
}

TEST(Vectors, X3dh) {
  json::object generated;
  if (regenerating()) {
    generated["description"] =
        "X3DH (docs/protocol.md §2-§3). Inputs: private keys; alice_generated_keys lists the "
        "ephemeral key(s) Alice draws, in order. All bytes in hex.";
    json::array cases;
    for (bool otp : {true, false}) {
      json::object inputs = fixed_inputs();
      json::object keys;
      json::object outputs = x3dh_case(inputs, otp, &keys, nullptr);
      inputs["alice_generated_keys"] = keys["alice_generated_keys"];
      inputs["with_one_time_prekey"] = otp;
      cases.push_back(
          json::object{{"name", otp ? "with one-time prekey" : "without one-time prekey"},
                       {"inputs", inputs},
                       {"outputs", outputs}});
    }
    generated["cases"] = cases;
  }
  const json::object file = load_or_write("x3dh.json", generated);
  ASSERT_TRUE(file.contains("cases"));
  const auto& cases = file.at("cases").as_array();
  ASSERT_EQ(cases.size(), 2u);
  for (const auto& c : cases) {
    SCOPED_TRACE(str(c.at("name")));
    const auto& inputs = c.at("inputs").as_object();
    const json::object outputs = x3dh_case(inputs, inputs.at("with_one_time_prekey").as_bool(),
                                           nullptr, &inputs.at("alice_generated_keys").as_array());
    for (const auto& kv : c.at("outputs").as_object()) {
      ASSERT_TRUE(outputs.contains(kv.key())) << kv.key();
      EXPECT_EQ(json::serialize(outputs.at(kv.key())), json::serialize(kv.value())) << kv.key();
    }
    EXPECT_EQ(outputs.size(), c.at("outputs").as_object().size());
  }
}

// --- ratchet.json -------------------------------------------------------------------------

json::array fixed_script() {
  // Alice sends 3; Bob gets #0 then #2; Bob answers; Alice sends again; Bob gets the
  // skipped #1 late, then the new one; Bob sends two that arrive in reverse order.
  const char* steps[][3] = {
      {"send", "alice", "Bonjour docteur, j'ai de la fièvre depuis hier."},
      {"send", "alice", "38,5 °C ce matin."},
      {"send", "alice", "Dois-je venir au cabinet ?"},
      {"receive", "bob", "0"},
      {"receive", "bob", "2"},
      {"send", "bob", "Prenez du paracétamol, je vous rappelle à 14 h."},
      {"receive", "alice", "5"},
      {"send", "alice", "Merci."},
      {"receive", "bob", "1"},
      {"receive", "bob", "7"},
      {"send", "bob", "Ordonnance à suivre."},
      {"send", "bob", "Bon rétablissement."},
      {"receive", "alice", "11"},
      {"receive", "alice", "10"},
  };
  json::array out;
  int i = 0;
  for (const auto& s : steps) {
    json::object step{{"op", s[0]}, {"party", s[1]}};
    if (std::string_view(s[0]) == "send") {
      char id[33];
      std::snprintf(id, sizeof id, "%032x", 0x1000 + i);
      step["message_id"] = id;
      step["sent_at_ms"] = 1780086400000 + 1000 * i;
      step["body"] = s[2];
    } else {
      step["message"] = std::stoi(s[2]);
    }
    out.push_back(step);
    ++i;
  }
  return out;
}

json::array run_ratchet(const json::object& inputs, json::object* keys_out) {
  Party alice = make_party(inputs.at("alice").as_object(), inputs);
  Party bob = make_party(inputs.at("bob").as_object(), inputs);
  BobPrekeys prekeys = make_bob_prekeys(bob, inputs.at("bob").as_object(), true);
  const std::uint64_t now = num(inputs.at("now"));
  const json::array* alice_replay =
      keys_out ? nullptr : &inputs.at("alice_generated_keys").as_array();
  const json::array* bob_replay = keys_out ? nullptr : &inputs.at("bob_generated_keys").as_array();
  VectorKeys alice_keys("ratchet alice", alice_replay);
  VectorKeys bob_keys("ratchet bob", bob_replay);

  auto alice_session = start_session(alice.device, prekeys.bundle, bob.list, now, alice_keys);
  EXPECT_OK(alice_session);
  std::optional<Session> sessions[2] = {std::move(*alice_session), std::nullopt};
  Party* parties[2] = {&alice, &bob};
  json::array outputs;
  std::vector<Bytes> envelopes;
  for (const auto& sv : inputs.at("script").as_array()) {
    const auto& step = sv.as_object();
    const int who = str(step.at("party")) == "alice" ? 0 : 1;
    Party& me = *parties[who];
    Party& peer = *parties[1 - who];
    if (str(step.at("op")) == "send") {
      MessageContent c{str(step.at("message_id")),  me.device.pub.account_id,
                       me.device.pub.device_id,     num(step.at("sent_at_ms")),
                       "text/plain; charset=utf-8", to_bytes(str(step.at("body")))};
      auto m = encrypt_message(me.device, *sessions[who], c);
      EXPECT_OK(m);
      sessions[who] = m->session;
      envelopes.push_back(m->envelope);
      outputs.push_back(
          json::object{{"plaintext", hx(*encode_content(c))}, {"envelope", hx(m->envelope)}});
    } else {
      const Bytes& e = envelopes.at(num(step.at("message")));
      auto r = decrypt_message(me.device, who == 1 ? prekeys.store : PrekeyStore{}, peer.device.pub,
                               sessions[who] ? &*sessions[who] : nullptr, e, now,
                               who == 0 ? static_cast<KeySource&>(alice_keys) : bob_keys);
      EXPECT_OK(r);
      sessions[who] = r->session;
      envelopes.emplace_back();  // keep indices aligned with the script
      outputs.push_back(
          json::object{{"body", std::string(r->content.body.begin(), r->content.body.end())},
                       {"message_id", r->content.message_id}});
    }
  }
  if (keys_out != nullptr) {
    (*keys_out)["alice_generated_keys"] = alice_keys.recorded();
    (*keys_out)["bob_generated_keys"] = bob_keys.recorded();
  } else {
    EXPECT_EQ(alice_keys.used(), inputs.at("alice_generated_keys").as_array().size());
    EXPECT_EQ(bob_keys.used(), inputs.at("bob_generated_keys").as_array().size());
  }
  return outputs;
}

TEST(Vectors, Ratchet) {
  json::object generated;
  if (regenerating()) {
    json::object inputs = fixed_inputs();
    inputs["script"] = fixed_script();
    json::object keys;
    json::array outputs = run_ratchet(inputs, &keys);
    inputs["alice_generated_keys"] = keys["alice_generated_keys"];
    inputs["bob_generated_keys"] = keys["bob_generated_keys"];
    generated = {{"description",
                  "X3DH + Double Ratchet conversation (docs/protocol.md §3-§5). Alice starts "
                  "with Bob's bundle (signed prekey + one-time prekey) at `now`. "
                  "*_generated_keys: the X25519 private keys each party draws, in order "
                  "(Alice: X3DH ephemeral, first ratchet key, then one per DH ratchet step). "
                  "outputs[i] belongs to script[i]: the padded plaintext and the envelope of a "
                  "send, the decrypted body of a receive."},
                 {"inputs", inputs},
                 {"outputs", outputs}};
  }
  const json::object file = load_or_write("ratchet.json", generated);
  ASSERT_TRUE(file.contains("inputs"));
  const json::array outputs = run_ratchet(file.at("inputs").as_object(), nullptr);
  const auto& expected = file.at("outputs").as_array();
  ASSERT_EQ(outputs.size(), expected.size());
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    EXPECT_EQ(json::serialize(outputs[i]), json::serialize(expected[i])) << "step " << i;
  }
}

// --- envelope.json ------------------------------------------------------------------------

json::object envelope_inputs() {
  json::array valid;
  valid.push_back(json::object{{"name", "prekey message with one-time prekey"},
                               {"sender_signing_key", seed_hex("signing")},
                               {"sender_dh_key", seed_hex("dh")},
                               {"ephemeral_key", seed_hex("ephemeral")},
                               {"signed_prekey_id", 7},
                               {"one_time_prekey_id", 42},
                               {"ratchet_key", seed_hex("ratchet")},
                               {"pn", 0},
                               {"n", 1},
                               {"ciphertext", hx(Bytes(48, 0xC7))}});
  valid.push_back(json::object{{"name", "prekey message without one-time prekey"},
                               {"sender_signing_key", seed_hex("signing")},
                               {"sender_dh_key", seed_hex("dh")},
                               {"ephemeral_key", seed_hex("ephemeral")},
                               {"signed_prekey_id", 8},
                               {"one_time_prekey_id", nullptr},
                               {"ratchet_key", seed_hex("ratchet")},
                               {"pn", 0},
                               {"n", 0},
                               {"ciphertext", hx(Bytes(16, 0x01))}});
  valid.push_back(json::object{{"name", "normal message"},
                               {"ratchet_key", seed_hex("ratchet 2")},
                               {"pn", 3},
                               {"n", 258},
                               {"ciphertext", hx(Bytes(80, 0x5A))}});
  json::array contents;
  contents.push_back(json::object{{"message_id", "00000000000000000000000000001000"},
                                  {"sender_account_id", "a11ce000000000000000000000000001"},
                                  {"sender_device_id", "a11ce0000000000000000000000000d1"},
                                  {"sent_at_ms", 1780086400000},
                                  {"content_type", "text/plain; charset=utf-8"},
                                  {"body", "Bonjour"}});
  contents.push_back(json::object{{"message_id", "00000000000000000000000000001001"},
                                  {"sender_account_id", "b0b00000000000000000000000000001"},
                                  {"sender_device_id", "b0b000000000000000000000000000d1"},
                                  {"sent_at_ms", 0},
                                  {"content_type", "application/x-empty"},
                                  {"body", ""}});
  return {{"envelopes", valid}, {"contents", contents}};
}

Envelope envelope_from(const json::object& in) {
  Envelope e;
  if (in.contains("sender_signing_key")) {
    PrekeyFields p;
    auto k = [&](const char* f) {
      PublicKey out{};
      auto b = unhex(in.at(f));
      std::copy(b.begin(), b.end(), out.begin());
      return out;
    };
    p.sender_signing_key = k("sender_signing_key");
    p.sender_dh_key = k("sender_dh_key");
    p.ephemeral_key = k("ephemeral_key");
    p.signed_prekey_id = static_cast<std::uint32_t>(num(in.at("signed_prekey_id")));
    if (!in.at("one_time_prekey_id").is_null()) {
      p.one_time_prekey_id = static_cast<std::uint32_t>(num(in.at("one_time_prekey_id")));
    }
    e.prekey = p;
  }
  auto rk = unhex(in.at("ratchet_key"));
  std::copy(rk.begin(), rk.end(), e.header.dh.begin());
  e.header.pn = static_cast<std::uint32_t>(num(in.at("pn")));
  e.header.n = static_cast<std::uint32_t>(num(in.at("n")));
  e.ciphertext = unhex(in.at("ciphertext"));
  return e;
}

json::object envelope_outputs(const json::object& inputs, const json::array* invalid_in) {
  json::array encoded;
  for (const auto& v : inputs.at("envelopes").as_array()) {
    const Bytes bytes = encode_envelope(envelope_from(v.as_object()));
    auto back = decode_envelope(bytes);
    EXPECT_OK(back);
    if (back.ok()) {
      EXPECT_EQ(encode_envelope(*back), bytes);
    }
    encoded.push_back(hx(bytes));
  }
  json::array contents;
  for (const auto& v : inputs.at("contents").as_array()) {
    const auto& c = v.as_object();
    MessageContent m{str(c.at("message_id")),       str(c.at("sender_account_id")),
                     str(c.at("sender_device_id")), num(c.at("sent_at_ms")),
                     str(c.at("content_type")),     to_bytes(str(c.at("body")))};
    contents.push_back(hx(*encode_content(m)));
  }
  // Invalid envelopes and the error code a decoder must give.
  json::array invalid;
  if (invalid_in == nullptr) {
    const Bytes good = *hex_decode(std::string_view(encoded[2].as_string()));
    auto mutate = [&](const char* name, Bytes b) {
      invalid.push_back(json::object{{"name", name}, {"envelope", hx(b)}});
    };
    Bytes b = good;
    b[0] = 0x02;
    mutate("unknown version", b);
    b = good;
    b[1] = 0x03;
    mutate("unknown type", b);
    mutate("truncated", Bytes(good.begin(), good.end() - 1));
    b = good;
    b.push_back(0);
    mutate("trailing byte", b);
    b = good;
    b[2 + 40 + 3] = 15;
    b.resize(2 + 40 + 4 + 15);
    mutate("ciphertext shorter than a tag", b);
    b = *hex_decode(std::string_view(encoded[0].as_string()));
    b[2 + 96 + 4] = 2;
    mutate("bad one-time flag", b);
    mutate("empty", Bytes{});
    invalid_in = &invalid;
  }
  json::array checked;
  for (const auto& v : *invalid_in) {
    json::object o = v.as_object();
    auto r = decode_envelope(unhex(o.at("envelope")));
    o["error"] = r.ok() ? "none" : r.error().code();
    checked.push_back(o);
  }
  return {{"envelopes", encoded}, {"contents", contents}, {"invalid", checked}};
}

TEST(Vectors, Envelope) {
  json::object generated;
  if (regenerating()) {
    json::object inputs = envelope_inputs();
    generated = {{"description",
                  "Envelope and plaintext encodings (docs/protocol.md §5). outputs.envelopes[i] "
                  "encodes inputs.envelopes[i]; outputs.contents[i] is the padded MessageContent "
                  "of inputs.contents[i] (body as UTF-8); outputs.invalid lists envelopes a "
                  "decoder must reject with the given error code."},
                 {"inputs", inputs},
                 {"outputs", envelope_outputs(inputs, nullptr)}};
  }
  const json::object file = load_or_write("envelope.json", generated);
  ASSERT_TRUE(file.contains("outputs"));
  const auto& expected = file.at("outputs").as_object();
  const json::object got =
      envelope_outputs(file.at("inputs").as_object(), &expected.at("invalid").as_array());
  for (const char* key : {"envelopes", "contents", "invalid"}) {
    EXPECT_EQ(json::serialize(got.at(key)), json::serialize(expected.at(key))) << key;
  }
  for (const auto& v : expected.at("invalid").as_array()) {
    EXPECT_NE(str(v.at("error")), "none") << str(v.at("name"));
  }
}

// --- safety_number.json -------------------------------------------------------------------

json::object safety_outputs(const json::object& in) {
  auto account = [](const json::object& a) {
    auto key = account_key_from_seed(str(a.at("account_id")), secret(a.at("account_key_seed")));
    return AccountFingerprintInput{str(a.at("account_id")), key->public_key};
  };
  const auto alice = account(in.at("alice").as_object());
  const auto bob = account(in.at("bob").as_object());
  return {{"alice_account_key", hx(alice.account_key)},
          {"bob_account_key", hx(bob.account_key)},
          {"alice_fingerprint", hx(*account_fingerprint(alice))},
          {"bob_fingerprint", hx(*account_fingerprint(bob))},
          {"alice_digits", *fingerprint_digits(alice)},
          {"bob_digits", *fingerprint_digits(bob)},
          {"safety_number", *safety_number(alice, bob)},
          {"qr_shown_by_alice", *safety_number_qr(alice, bob)},
          {"qr_shown_by_bob", *safety_number_qr(bob, alice)}};
}

TEST(Vectors, SafetyNumber) {
  json::object generated;
  if (regenerating()) {
    json::object inputs = fixed_inputs();
    inputs.erase("now");
    generated = {{"description",
                  "Safety numbers (docs/protocol.md §7) from the account keys of the seeds; "
                  "fingerprints are h_5200 (64 bytes)."},
                 {"inputs", inputs},
                 {"outputs", safety_outputs(inputs)}};
  }
  const json::object file = load_or_write("safety_number.json", generated);
  ASSERT_TRUE(file.contains("inputs"));
  const json::object got = safety_outputs(file.at("inputs").as_object());
  for (const auto& kv : file.at("outputs").as_object()) {
    EXPECT_EQ(json::serialize(got.at(kv.key())), json::serialize(kv.value())) << kv.key();
  }
}

}  // namespace
}  // namespace hippocrate::e2ee
