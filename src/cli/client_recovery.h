// Recovery of the account key (docs/protocol.md §2.6, docs/cli.md "Recovery"): the hook the
// messaging set-up calls once the account's first device is registered. The commands
// (`recovery-key show-new`, `restore`) are in client_recovery_commands.cc.
#pragma once

#include "base/result.h"

namespace hippocrate::cli {

class Messenger;

// On the account's first device, right after its registration: makes a recovery key, seals
// a backup of the account key under it (version 1), uploads it and prints the key once (on
// standard error, so that --json output stays clean) with what to do with it. A failure
// (e.g. the upload) is a warning naming `recovery-key show-new`: the device works anyway.
void set_up_recovery_key(Messenger& messenger);

}  // namespace hippocrate::cli
