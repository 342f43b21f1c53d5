// Setup of the load generator's accounts, sessions and devices through the real HTTP API
// (no shortcut into the database): the bootstrap administrator enrols TOTP, invites P
// practitioners (each enrols TOTP) who each invite one patient (an active care
// relationship: the pair may message); every pair member registers one device. For the
// idle-connection test, patients with 16 devices each (the per-account limit) are added.
// The result — tokens, account and device ids — goes to a small text state file that the
// tput/lat/mem modes read.
//
// The server limits login and invitation acceptance per source address (burst 20); every
// account here logs in from its own loopback source address (127.1.x.y → 127.0.0.1),
// so the setup is not throttled. Argon2id settings are the server's (the driver script
// starts it with the cheapest allowed: auth.argon2_memory_mib = 19, iterations = 2).
#pragma once

#include <netinet/in.h>

#include <string>
#include <vector>

namespace msgbench {

struct DeviceLogin {
  std::string token;
  std::string account_id;
  std::string device_id;
};

struct PairSpec {
  DeviceLogin sender;    // practitioner
  DeviceLogin receiver;  // patient
};

struct BenchState {
  std::vector<PairSpec> pairs;
  std::vector<DeviceLogin> idle;  // device sockets for the idle-connection test
};

struct SetupOptions {
  std::string ca_file;
  sockaddr_in server{};
  std::string bootstrap_token;  // `hippocrate admin bootstrap --json` token
  int pairs = 100;
  int idle = 10000;
  int threads = 8;
  int timeout_s = 900;
};

// Creates everything through the API. Returns false (after printing why) on any failure.
bool run_setup(const SetupOptions& options, BenchState& state);

bool write_state(const std::string& path, const BenchState& state);
bool read_state(const std::string& path, BenchState& state);

}  // namespace msgbench
