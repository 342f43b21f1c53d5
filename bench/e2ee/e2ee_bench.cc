// Throughput of the end-to-end encryption protocol (src/e2ee/): Double Ratchet
// encrypt+decrypt of a 200-byte message, and complete X3DH handshakes. Every key lives in
// SecretBytes (small ones in slots of a locked arena, src/base/secure_arena.h; before that
// arena, a sodium_malloc — mmap + mprotect + mlock — per key was most of the cost); the
// figures are for the real code path the client runs.
//
// E2EE_BENCH_ITERATIONS=N runs every benchmark exactly N iterations instead of for a time,
// so that whole-process timings (/usr/bin/time -v) of two builds compare equal work.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "base/ids.h"
#include "crypto/random.h"
#include "e2ee/device_list.h"
#include "e2ee/prekey_store.h"
#include "e2ee/session_cipher.h"
#include "e2ee/x3dh.h"

namespace hippocrate::e2ee {
namespace {

constexpr std::uint64_t kNow = 1'780'000'000;
constexpr std::size_t kBodyBytes = 200;

void fixed_iterations_from_env(benchmark::internal::Benchmark* b) {
  if (const char* n = std::getenv("E2EE_BENCH_ITERATIONS")) b->Iterations(std::atoll(n));
}

struct Party {
  DeviceIdentity device;
  AccountKey account_key;
  PrekeyStore prekeys;
  DeviceList list;
};

Party make_party() {
  Party p;
  const std::string account = random_id();
  p.device = *generate_device_identity(account, random_id());
  p.account_key = *generate_account_key(account);
  p.prekeys = refresh_prekeys(p.device, {}, 0, kNow, system_key_source())->store;
  p.list = {account, 1, kNow, {p.device.pub}};
  p.list = *verify_device_list(*sign_device_list(p.account_key, p.list), p.account_key.public_key,
                               account, 0);
  return p;
}

PrekeyBundle bundle_of(const Party& p) {
  return {p.device.pub, current_signed_prekey(p.prekeys)->pub, p.prekeys.one_time_prekeys[0].pub};
}

MessageContent content_from(const Party& p) {
  return {random_id(), p.device.pub.account_id,     p.device.pub.device_id,
          kNow * 1000, "text/plain; charset=utf-8", crypto::random_bytes(kBodyBytes)};
}

struct Established {
  Party alice = make_party();
  Party bob = make_party();
  Session alice_session;
  Session bob_session;

  Established() {
    alice_session = *start_session(alice.device, bundle_of(bob), bob.list, kNow);
    auto first = *encrypt_message(alice.device, alice_session, content_from(alice));
    alice_session = first.session;
    bob_session =
        decrypt_message(bob.device, bob.prekeys, alice.device.pub, nullptr, first.envelope, kNow)
            ->session;
    auto reply = *encrypt_message(bob.device, bob_session, content_from(bob));
    bob_session = reply.session;
    alice_session = decrypt_message(alice.device, alice.prekeys, bob.device.pub, &alice_session,
                                    reply.envelope, kNow)
                        ->session;
  }
};

// One message Alice → Bob per iteration, in one sending chain (the common case of a burst).
void BM_RatchetEncryptDecrypt(benchmark::State& state) {
  Established s;
  const MessageContent content = content_from(s.alice);
  for (auto _ : state) {
    auto sent = encrypt_message(s.alice.device, s.alice_session, content);
    auto got = decrypt_message(s.bob.device, s.bob.prekeys, s.alice.device.pub, &s.bob_session,
                               sent->envelope, kNow);
    if (!got.ok()) state.SkipWithError("decrypt failed");
    s.alice_session = std::move(sent->session);
    s.bob_session = std::move(got->session);
    benchmark::DoNotOptimize(got->content);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RatchetEncryptDecrypt)->Apply(fixed_iterations_from_env);

// Alternating directions: every message carries a new ratchet key, so each decrypt also
// runs a DH ratchet step (two X25519 + two KDF_RK) — the worst case of a conversation.
void BM_RatchetEncryptDecryptPingPong(benchmark::State& state) {
  Established s;
  const MessageContent from_alice = content_from(s.alice);
  const MessageContent from_bob = content_from(s.bob);
  bool alice_turn = true;
  for (auto _ : state) {
    Party& me = alice_turn ? s.alice : s.bob;
    Party& peer = alice_turn ? s.bob : s.alice;
    Session& mine = alice_turn ? s.alice_session : s.bob_session;
    Session& theirs = alice_turn ? s.bob_session : s.alice_session;
    auto sent = encrypt_message(me.device, mine, alice_turn ? from_alice : from_bob);
    auto got =
        decrypt_message(peer.device, peer.prekeys, me.device.pub, &theirs, sent->envelope, kNow);
    if (!got.ok()) state.SkipWithError("decrypt failed");
    mine = std::move(sent->session);
    theirs = std::move(got->session);
    alice_turn = !alice_turn;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RatchetEncryptDecryptPingPong)->Apply(fixed_iterations_from_env);

// A complete handshake: Alice verifies Bob's bundle against his device list, runs X3DH and
// encrypts the first message; Bob runs X3DH from the prekey message and decrypts it.
void BM_X3dhHandshake(benchmark::State& state) {
  const Party alice = make_party();
  const Party bob = make_party();
  const PrekeyBundle bundle = bundle_of(bob);
  const MessageContent content = content_from(alice);
  for (auto _ : state) {
    auto session = start_session(alice.device, bundle, bob.list, kNow);
    auto first = encrypt_message(alice.device, *session, content);
    auto got =
        decrypt_message(bob.device, bob.prekeys, alice.device.pub, nullptr, first->envelope, kNow);
    if (!got.ok()) state.SkipWithError("handshake failed");
    benchmark::DoNotOptimize(got->session);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_X3dhHandshake)->Apply(fixed_iterations_from_env);

// The key agreement alone (both sides), without bundle checks or the first message.
void BM_X3dhKeyAgreementOnly(benchmark::State& state) {
  const Party alice = make_party();
  const Party bob = make_party();
  const PrekeyBundle bundle = bundle_of(bob);
  const auto& spk = *current_signed_prekey(bob.prekeys)->private_key;
  const auto& otp = *bob.prekeys.one_time_prekeys[0].private_key;
  for (auto _ : state) {
    auto init = x3dh_initiate(alice.device, bundle, system_key_source());
    auto resp = x3dh_respond(bob.device, alice.device.pub, init->ephemeral_key, spk, &otp);
    benchmark::DoNotOptimize(resp);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_X3dhKeyAgreementOnly)->Apply(fixed_iterations_from_env);

}  // namespace
}  // namespace hippocrate::e2ee
