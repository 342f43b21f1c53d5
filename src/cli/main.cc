// The `hippocrate` command: the server (`serve`), the offline operator commands (`admin`)
// and the client commands a user runs against a server (login, whoami, mfa...).
// See docs/cli.md. Exit codes: 0 success, 1 failure, 2 usage error.
//
// The client options --server, --ca-file, --profile and --json may come before the command
// as well as after it (`hippocrate --profile P whoami`, as git or kubectl). An unknown
// command is a usage error that names the closest command ("did you mean ...?").
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/version.h"
#include "cli/admin_commands.h"
#include "cli/audit_search.h"
#include "cli/client_commands.h"
#include "cli/client_context.h"
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

// Edits (insertion, deletion, substitution, swap of two neighbours) from `a` to `b`.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// An option of `command` or of a command above it (where `hippocrate --profile P` puts it).
const CLI::Option* find_option(const CLI::App* command, const std::string& name) {
  for (; command != nullptr; command = command->get_parent()) {
    if (const CLI::Option* option = command->get_option_no_throw(name)) return option;
  }
  return nullptr;
}

// The message for a word of `argv` where a command name is expected but none matches, e.g.
// "unknown command 'whoam'. Did you mean 'whoami'?"; nothing when the command line names
// known commands (CLI11 then reports any other usage error).
std::optional<std::string> unknown_command(const CLI::App& app, int argc, char** argv) {
  const CLI::App* command = &app;
  std::string path = "hippocrate";
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--") return std::nullopt;
    if (word.starts_with('-')) {
      if (word.find('=') != std::string::npos) continue;
      const CLI::Option* option = find_option(command, word);
      if (option != nullptr && option->get_items_expected_min() > 0) ++i;  // its value
      continue;
    }
    const auto subcommands = command->get_subcommands([](const CLI::App*) { return true; });
    const auto positionals = command->get_options(
        [](const CLI::Option* o) { return o->get_positional() && !o->nonpositional(); });
    if (subcommands.empty() || !positionals.empty()) return std::nullopt;  // an argument
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : subcommands) {
      if (sub->check_name(word)) next = sub;
    }
    if (next != nullptr) {
      command = next;
      path += " " + word;
      continue;
    }
    std::string best;
    std::size_t best_distance = std::string::npos;
    for (const CLI::App* sub : subcommands) {
      const std::size_t distance = edit_distance(word, sub->get_name());
      if (distance < best_distance) {
        best_distance = distance;
        best = sub->get_name();
      }
    }
    std::string message = "unknown command '" + word + "'";
    if (path != "hippocrate") message += " of '" + path + "'";
    if (!best.empty() && best_distance <= std::max<std::size_t>(2, word.size() / 3)) {
      message.append(". Did you mean '").append(path).append(" ").append(best).append("'?");
    } else {
      message += ". Run '" + path + " --help' for the list of commands.";
    }
    return message;
  }
  return std::nullopt;
}

}  // namespace

// An exception out of here is a bug in the command table or a start-up failure: it ends
// the process with its message, which is what docs/contributing.md asks of both.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  CLI::App app{"Hippocrate — self-hostable, end-to-end encrypted telemedicine", "hippocrate"};
  app.set_version_flag("--version", std::string("hippocrate ") + hippocrate::kVersion);
  app.require_subcommand(1);
  hippocrate::cli::add_global_client_flags(app);
  hippocrate::cli::add_serve_command(app);
  hippocrate::cli::add_admin_commands(app);
  hippocrate::cli::add_client_commands(app);
  hippocrate::cli::add_audit_commands(app);
  if (const auto message = unknown_command(app, argc, argv)) {
    std::fprintf(stderr, "hippocrate: %s\n", message->c_str());
    return finish(2);
  }
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
