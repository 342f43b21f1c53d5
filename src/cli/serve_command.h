// `hippocrate serve`: loads the configuration, opens the store, prepares TLS and runs the
// HTTPS server until SIGINT/SIGTERM.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace hippocrate::cli {

struct ServeFlags {
  std::string config_file;  // --config
  std::string listen;       // --listen ADDR:PORT
  std::string data_dir;     // --data-dir DIR
};

// Registers the subcommand on `app`; runs it when selected.
void add_serve_command(CLI::App& app);

// Exit code: 0 after a clean stop, 2 on a configuration error, 1 on another start-up failure.
int run_serve(const ServeFlags& flags);

}  // namespace hippocrate::cli
