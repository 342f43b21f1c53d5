// `hippocrate admin ...`: operator commands that work on the data folder directly, without
// a running server (they open the database and the key files themselves).
//
//   admin bootstrap [--config FILE] [--data-dir DIR] [--server URL] --org NAME --email EMAIL
//                   [--json]
//     Creates the organisation and prints a one-time invitation for its first administrator
//     (the `hippocrate accept-invite TOKEN ...` command to run once the server is up).
//     Refused ("already_bootstrapped") once any account exists; a new invitation replaces an
//     unused earlier one. The database and data folder are found as `serve` finds them:
//     --data-dir, else HIPPOCRATE_* variables and the config file, else ./var. The printed
//     command names the server by --server, else the configured listen address (a note says
//     when that is only the default).
//   admin organisation create: the same for a further organisation (tenant).
#pragma once

namespace CLI {
class App;
}

namespace hippocrate::cli {

void add_admin_commands(CLI::App& app);

}  // namespace hippocrate::cli
