# Hippocrate — the commands a user needs. See README.md.
#   make run    build (Release) and start the server on https://127.0.0.1:8443
#   make test   build with tests and run them all (CTest), then the WebAssembly tests
#   make test-wasm  the client core with base, crypto, e2ee and the keystore built by
#               Emscripten, their tests under Node
#               (scripts/wasm-test.sh, build/wasm; libsodium for wasm32 built once there)
#   make test-web   the web app (web/, built by scripts/web-build.sh) in Debian's Chromium
#               against a real server (tests/web/web_e2e_test.sh); part of make test
#   make check  the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make lint   clang-format and clang-tidy (with clang's -Wthread-safety) over the tree
#               (scripts/lint.sh, build/lint)
#   make bench  benchmarks: crypto primitives, then /healthz over TLS vs nginx (wrk);
#               BENCH_MESSAGING=1 also messaging vs Prosody/ejabberd (scripts/bench-messaging.sh)

CMAKE_GENERATOR := -G Ninja
JOBS ?= $(shell nproc)
RUN_ARGS ?=
CTEST_ARGS ?=
WASM_TEST = JOBS=$(JOBS) CTEST_ARGS='$(CTEST_ARGS)' scripts/wasm-test.sh build/wasm
WEB_TEST = scripts/web-test.sh build/test/src/cli/hippocrate

.PHONY: all deps release run test test-wasm check lint bench clean

all: release

deps:
	@scripts/install-deps.sh

release: deps
	@cmake -S . -B build/release $(CMAKE_GENERATOR) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@ninja -C build/release -j$(JOBS) hippocrate

run: release web
	@./build/release/src/cli/hippocrate serve $(RUN_ARGS)

# The web app, served by `hippocrate serve` from web/dist (npm ci only when needed).
.PHONY: web test-web
web:
	@scripts/web-build.sh

test: deps
	@cmake -S . -B build/test $(CMAKE_GENERATOR) -DCMAKE_BUILD_TYPE=Debug \
	  -DHIPPOCRATE_TESTS=ON >/dev/null
	@ninja -C build/test -j$(JOBS)
	@scripts/web-build.sh
	@cd build/test && ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)
	@$(WASM_TEST)
	@$(WEB_TEST)

test-wasm: deps
	@$(WASM_TEST)

test-web: deps
	@cmake -S . -B build/test $(CMAKE_GENERATOR) -DCMAKE_BUILD_TYPE=Debug \
	  -DHIPPOCRATE_TESTS=ON >/dev/null
	@ninja -C build/test -j$(JOBS) hippocrate
	@$(WEB_TEST)

check: deps
	@cmake -S . -B build/asan $(CMAKE_GENERATOR) -DCMAKE_BUILD_TYPE=Debug \
	  -DHIPPOCRATE_TESTS=ON -DHIPPOCRATE_SANITIZE=ON >/dev/null
	@ninja -C build/asan -j$(JOBS)
	@cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

lint: deps
	@JOBS=$(JOBS) scripts/lint.sh

bench:
	@scripts/install-deps.sh --bench
	@cmake -S . -B build/bench $(CMAKE_GENERATOR) -DCMAKE_BUILD_TYPE=Release \
	  -DHIPPOCRATE_BENCH=ON >/dev/null
	@ninja -C build/bench -j$(JOBS)
	@./build/bench/bench/crypto/crypto_bench --benchmark_min_time=0.2
	@./build/bench/bench/auth/login_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
	@scripts/bench-http.sh build/bench/src/cli/hippocrate
	@if [ "$${BENCH_MESSAGING:-0}" = 1 ]; then SKIP_BUILD=1 scripts/bench-messaging.sh; \
	 else echo "make bench: messaging vs Prosody/ejabberd skipped (about 15 min): BENCH_MESSAGING=1 make bench"; fi

clean:
	rm -rf build
