// Reading passwords and other answers for the client commands.
//
// Passwords are read either from the terminal (/dev/tty) with echo off, or — with
// `--password-stdin`, for scripts — one line at a time from standard input (the trailing
// "\n" or "\r\n" removed). They go byte by byte into a locked, wiped buffer (SecretBytes) and come back
// as SecretBytes: no std::string copy of a password is ever made here.
//
// Terminal state: echo is switched off only while a password is typed, and restored on
// every path — normal return, error, and the signals SIGINT, SIGTERM, SIGHUP and SIGQUIT
// (the handler restores the terminal, then lets the signal do what it would have done).
//
// "Interactive" means standard input is a terminal and /dev/tty opens: only then does a
// command ask questions (a name, a second-factor code); otherwise it needs flags.
// Not thread-safe (one prompt at a time, process-wide signal handlers while it lasts).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::cli {

// Longest accepted secret line, in bytes (the server's limit is 256 code points).
constexpr std::size_t kMaxSecretLineBytes = 4096;

bool is_interactive();

// One line typed on the terminal without echo. Errors: "no_terminal" (usage),
// "input_cancelled" (end of input before a line), "input_too_long".
Result<SecretBytes> read_hidden_line(std::string_view prompt);

// One line of standard input. Errors: "input_cancelled", "input_too_long", "empty_secret".
Result<SecretBytes> read_stdin_secret_line(std::string_view what);

// One line typed on the terminal with echo (names, codes). Errors: "no_terminal" (usage),
// "input_cancelled".
Result<std::string> prompt_line(std::string_view prompt);

// Where the passwords of one command come from.
class PasswordSource {
 public:
  explicit PasswordSource(bool from_stdin) : from_stdin_(from_stdin) {}
  bool from_stdin() const { return from_stdin_; }

  // An existing password: the next line of stdin, or typed once on the terminal.
  Result<SecretBytes> password(std::string_view prompt);
  // A new password: the next line of stdin, or typed twice on the terminal (error
  // "passwords_differ" when the two differ).
  Result<SecretBytes> new_password(std::string_view prompt, std::string_view again_prompt);

 private:
  bool from_stdin_;
};

}  // namespace hippocrate::cli
