// Registering the common shapes of client command: `NAME ARG` and `NAME` with the client
// flags (--server, --ca-file, --profile, --json), run through run_client_command.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "cli/client_context.h"

namespace hippocrate::cli {

using ArgRunner = std::function<Status(ClientContext&, const std::string&)>;

// `parent name ARG`: `run(context, ARG)`.
inline CLI::App* add_arg_command(CLI::App& parent, const char* name, const char* help,
                                 const char* arg_name, const char* arg_help, ArgRunner run) {
  struct Flags {
    ClientFlags client;
    std::string arg;
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = parent.add_subcommand(name, help);
  cmd->add_option(arg_name, flags->arg, arg_help)->required();
  add_client_flags(cmd, flags->client, false);
  cmd->callback([flags, run = std::move(run)] {
    throw CLI::RuntimeError(run_client_command(
        flags->client, [flags, &run](ClientContext& c) { return run(c, flags->arg); }));
  });
  return cmd;
}

// `parent name`: `run(context)`.
inline CLI::App* add_plain_command(CLI::App& parent, const char* name, const char* help,
                                   std::function<Status(ClientContext&)> run) {
  auto flags = std::make_shared<ClientFlags>();
  auto* cmd = parent.add_subcommand(name, help);
  add_client_flags(cmd, *flags, false);
  cmd->callback(
      [flags, run = std::move(run)] { throw CLI::RuntimeError(run_client_command(*flags, run)); });
  return cmd;
}

}  // namespace hippocrate::cli
