// The `hippocrate` command: the server (`serve`), the offline operator commands (`admin`)
// and the client commands a user runs against a server (login, whoami, mfa...).
// See docs/cli.md. Exit codes: 0 success, 1 failure, 2 usage error.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "base/version.h"
#include "cli/admin_commands.h"
#include "cli/audit_search.h"
#include "cli/client_commands.h"
#include "cli/serve_command.h"

namespace {

// Flushes what a command printed before the process exits: a pipe is fully buffered, and
// exit-time hooks (LeakSanitizer in `make check`) may end the process before stdio's own
// flush at exit.
int finish(int code) {
  std::fflush(stdout);
  std::fflush(stderr);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Hippocrate — self-hostable, end-to-end encrypted telemedicine", "hippocrate"};
  app.set_version_flag("--version", std::string("hippocrate ") + hippocrate::kVersion);
  app.require_subcommand(1);
  hippocrate::cli::add_serve_command(app);
  hippocrate::cli::add_admin_commands(app);
  hippocrate::cli::add_client_commands(app);
  hippocrate::cli::add_audit_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& done) {
    return finish(done.get_exit_code());  // a subcommand finished with this exit code
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, the version, or the usage error
    return finish(code == 0 ? 0 : 2);
  }
  return finish(0);
}
