#include "cli/terminal_input.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>

#include "cli/output.h"

namespace hippocrate::cli {
namespace {

// --- Terminal state, shared with the signal handler (async-signal-safe use only). ---
int g_tty_fd = -1;
struct termios g_saved_termios;
volatile std::sig_atomic_t g_echo_off = 0;
constexpr std::array<int, 4> kSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
std::array<struct sigaction, kSignals.size()> g_previous_actions;

extern "C" void restore_terminal_and_reraise(int signal_number) {
  if (g_echo_off != 0) {
    ::tcsetattr(g_tty_fd, TCSANOW, &g_saved_termios);
    g_echo_off = 0;
    [[maybe_unused]] const ssize_t n = ::write(g_tty_fd, "\n", 1);
  }
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    if (kSignals[i] == signal_number) ::sigaction(signal_number, &g_previous_actions[i], nullptr);
  }
  // Delivered once this handler returns (the signal is blocked meanwhile), with the previous
  // disposition — by default, the end of the process.
  ::raise(signal_number);
}

// Switches echo off on `fd` for its lifetime; restores it on destruction or on a signal.
class EchoOff {
 public:
  explicit EchoOff(int fd) {
    if (::tcgetattr(fd, &g_saved_termios) != 0) return;
    g_tty_fd = fd;
    struct sigaction action {};
    action.sa_handler = restore_terminal_and_reraise;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
      ::sigaction(kSignals[i], &action, &g_previous_actions[i]);
    }
    struct termios quiet = g_saved_termios;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK);
    quiet.c_lflag |= ECHONL;  // the Enter key still moves to the next line
    g_echo_off = 1;
    if (::tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
      g_echo_off = 0;
      restore_handlers();
      return;
    }
    active_ = true;
  }
  ~EchoOff() {
    if (!active_) return;
    ::tcsetattr(g_tty_fd, TCSANOW, &g_saved_termios);
    g_echo_off = 0;
    restore_handlers();
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  bool active() const { return active_; }

 private:
  static void restore_handlers() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
      ::sigaction(kSignals[i], &g_previous_actions[i], nullptr);
    }
  }
  bool active_ = false;
};

class Tty {
 public:
  Tty() : fd_(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) {}
  ~Tty() {
    if (fd_ >= 0) ::close(fd_);
  }
  Tty(const Tty&) = delete;
  Tty& operator=(const Tty&) = delete;
  int fd() const { return fd_; }
  void write(std::string_view text) const {
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }

 private:
  int fd_;
};

Error no_terminal() {
  return usage_error(
      "no terminal to ask on; pass the password on standard input with --password-stdin, "
      "and the other answers as flags");
}

// Reads one line from `fd` into `buffer` (newline excluded). Returns its length.
Result<std::size_t> read_line(int fd, SecretBytes& buffer) {
  std::size_t length = 0;
  bool too_long = false;
  bool any = false;
  for (;;) {
    std::uint8_t byte = 0;
    const ssize_t n = ::read(fd, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::unavailable("input_failed", "cannot read the input");
    if (n == 0) break;
    any = true;
    if (byte == '\n') break;
    if (length == buffer.size()) {
      too_long = true;  // keep reading to the end of the line, storing nothing more
      continue;
    }
    buffer.data()[length++] = byte;
  }
  if (!any) return Error::invalid_argument("input_cancelled", "no input (end of file)");
  if (too_long) {
    return Error::invalid_argument(
        "input_too_long",
        "the line is longer than " + std::to_string(kMaxSecretLineBytes) + " bytes");
  }
  if (length > 0 && buffer.data()[length - 1] == '\r') --length;
  return length;
}

}  // namespace

bool is_interactive() {
  if (::isatty(STDIN_FILENO) == 0) return false;
  Tty tty;
  return tty.fd() >= 0;
}

Result<SecretBytes> read_hidden_line(std::string_view prompt) {
  Tty tty;
  if (tty.fd() < 0 || ::isatty(tty.fd()) == 0) return no_terminal();
  SecretBytes buffer(kMaxSecretLineBytes);
  Result<std::size_t> length = std::size_t{0};
  {
    EchoOff quiet(tty.fd());  // before the prompt, so nothing typed after it is echoed
    tty.write(prompt);
    length = read_line(tty.fd(), buffer);
    if (!quiet.active()) tty.write("\n");
  }
  if (!length) return length.error();
  return SecretBytes::from(buffer.span().first(*length));
}

Result<SecretBytes> read_stdin_secret_line(std::string_view what) {
  SecretBytes buffer(kMaxSecretLineBytes);
  auto length = read_line(STDIN_FILENO, buffer);
  if (!length) {
    if (length.error().code() == "input_cancelled") {
      return Error::invalid_argument("input_cancelled",
                                     "standard input ended before the " + std::string(what));
    }
    return length.error();
  }
  if (*length == 0) {
    return Error::invalid_argument(
        "empty_secret", "the " + std::string(what) + " read from standard input is empty");
  }
  return SecretBytes::from(buffer.span().first(*length));
}

Result<std::string> prompt_line(std::string_view prompt) {
  Tty tty;
  if (tty.fd() < 0 || ::isatty(tty.fd()) == 0) return no_terminal();
  tty.write(prompt);
  SecretBytes buffer(1024);
  HIPPO_ASSIGN_OR_RETURN(const std::size_t length, read_line(tty.fd(), buffer));
  std::string line(buffer.view().substr(0, length));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
  std::size_t start = 0;
  while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) ++start;
  return line.substr(start);
}

Result<SecretBytes> PasswordSource::password(std::string_view prompt) {
  if (from_stdin_) return read_stdin_secret_line("password");
  if (!is_interactive()) return no_terminal();
  HIPPO_ASSIGN_OR_RETURN(SecretBytes secret, read_hidden_line(prompt));
  if (secret.empty()) return Error::invalid_argument("empty_secret", "the password is empty");
  return secret;
}

Result<SecretBytes> PasswordSource::new_password(std::string_view prompt,
                                                 std::string_view again_prompt) {
  if (from_stdin_) return read_stdin_secret_line("new password");
  if (!is_interactive()) return no_terminal();
  HIPPO_ASSIGN_OR_RETURN(SecretBytes first, read_hidden_line(prompt));
  if (first.empty()) return Error::invalid_argument("empty_secret", "the password is empty");
  HIPPO_ASSIGN_OR_RETURN(SecretBytes second, read_hidden_line(again_prompt));
  if (!first.constant_time_equals(second.span())) {
    return Error::invalid_argument("passwords_differ", "the two passwords differ; nothing changed");
  }
  return first;
}

}  // namespace hippocrate::cli
