// Throughput and latency of the crypto wrappers (src/crypto/), so regressions and the cost of
// each primitive on the target machine are visible. Inputs are fixed-size random buffers.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "crypto/aead.h"
#include "crypto/argon2id.h"
#include "crypto/ed25519.h"
#include "crypto/hash.h"
#include "crypto/hkdf.h"
#include "crypto/hmac.h"
#include "crypto/random.h"
#include "crypto/x25519.h"

namespace hippocrate::crypto {
namespace {

void BM_XChaChaSeal(benchmark::State& state) {
  const SecretBytes key = aead_keygen();
  const Bytes msg = random_bytes(static_cast<std::size_t>(state.range(0)));
  const Bytes ad = random_bytes(32);
  for (auto _ : state) {
    auto sealed = xchacha_seal(key, msg, ad);
    benchmark::DoNotOptimize(sealed);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_XChaChaSeal)->Arg(1024)->Arg(64 * 1024);

void BM_XChaChaOpen(benchmark::State& state) {
  const SecretBytes key = aead_keygen();
  const Bytes ad = random_bytes(32);
  const Bytes sealed =
      *xchacha_seal(key, random_bytes(static_cast<std::size_t>(state.range(0))), ad);
  for (auto _ : state) {
    auto opened = xchacha_open(key, sealed, ad);
    if (!opened.ok()) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(opened);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_XChaChaOpen)->Arg(1024)->Arg(64 * 1024);

void BM_ChaCha20Poly1305Seal(benchmark::State& state) {
  const SecretBytes key = aead_keygen();
  const Bytes nonce = random_bytes(kChaChaIetfNonceBytes);
  const Bytes msg = random_bytes(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto sealed = chacha20poly1305_seal(key, nonce, msg);
    benchmark::DoNotOptimize(sealed);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ChaCha20Poly1305Seal)->Arg(1024)->Arg(64 * 1024);

void BM_X25519SharedSecret(benchmark::State& state) {
  const X25519KeyPair a = x25519_generate();
  const X25519KeyPair b = x25519_generate();
  for (auto _ : state) {
    auto shared = x25519_shared_secret(a.private_key, b.public_key);
    benchmark::DoNotOptimize(shared);
  }
}
BENCHMARK(BM_X25519SharedSecret);

void BM_Ed25519Sign(benchmark::State& state) {
  const Ed25519KeyPair pair = ed25519_generate();
  const Bytes msg = random_bytes(256);
  for (auto _ : state) {
    auto signature = ed25519_sign(pair.secret_key, msg);
    benchmark::DoNotOptimize(signature);
  }
}
BENCHMARK(BM_Ed25519Sign);

void BM_Ed25519Verify(benchmark::State& state) {
  const Ed25519KeyPair pair = ed25519_generate();
  const Bytes msg = random_bytes(256);
  const Ed25519Signature signature = *ed25519_sign(pair.secret_key, msg);
  for (auto _ : state) {
    auto status = ed25519_verify(pair.public_key, msg, signature);
    if (!status.ok()) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(status);
  }
}
BENCHMARK(BM_Ed25519Verify);

void BM_HmacSha256_64B(benchmark::State& state) {
  const Bytes key = random_bytes(32);
  const Bytes msg = random_bytes(64);
  for (auto _ : state) {
    auto tag = hmac_sha256(key, msg);
    benchmark::DoNotOptimize(tag);
  }
  state.SetBytesProcessed(state.iterations() * 64);
}
BENCHMARK(BM_HmacSha256_64B);

// One Double Ratchet-sized derivation: 32-byte IKM to 64 bytes of output.
void BM_HkdfSha256(benchmark::State& state) {
  const Bytes salt = random_bytes(32);
  const SecretBytes ikm = random_secret(32);
  const Bytes info = to_bytes("hippocrate-bench-info");
  for (auto _ : state) {
    auto okm = hkdf_sha256(salt, ikm.span(), info, 64);
    benchmark::DoNotOptimize(okm);
  }
}
BENCHMARK(BM_HkdfSha256);

void BM_Blake2b_1KiB(benchmark::State& state) {
  const Bytes data = random_bytes(1024);
  for (auto _ : state) {
    auto digest = blake2b(data, 32);
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(state.iterations() * 1024);
}
BENCHMARK(BM_Blake2b_1KiB);

void BM_Sha256_1KiB(benchmark::State& state) {
  const Bytes data = random_bytes(1024);
  for (auto _ : state) {
    auto digest = sha256(data);
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(state.iterations() * 1024);
}
BENCHMARK(BM_Sha256_1KiB);

// The login cost with the default parameters (m = 19 MiB, t = 2, p = 1).
void BM_Argon2idHashDefault(benchmark::State& state) {
  const SecretBytes password = random_secret(16);
  for (auto _ : state) {
    auto encoded = argon2id_hash_password(password.span());
    if (!encoded.ok()) state.SkipWithError("hash failed");
    benchmark::DoNotOptimize(encoded);
  }
}
BENCHMARK(BM_Argon2idHashDefault)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
}  // namespace hippocrate::crypto
