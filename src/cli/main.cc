// The `hippocrate` command: the server (`serve`) and, in later issues, the administrator
// and user commands. See docs/cli.md.
#include <CLI/CLI.hpp>

#include "base/version.h"
#include "cli/serve_command.h"

int main(int argc, char** argv) {
  CLI::App app{"Hippocrate — self-hostable, end-to-end encrypted telemedicine", "hippocrate"};
  app.set_version_flag("--version", std::string("hippocrate ") + hippocrate::kVersion);
  app.require_subcommand(1);
  hippocrate::cli::add_serve_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& done) {
    return done.get_exit_code();  // a subcommand finished with this exit code
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
