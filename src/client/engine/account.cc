#include "client/engine/account.h"

namespace hippocrate::client {

std::string describe(const AccountInfo& a) {
  if (a.display_name.empty() && a.email.empty()) return a.account_id;
  if (a.email.empty()) return a.display_name;
  return a.display_name.empty() ? a.email : a.display_name + " <" + a.email + ">";
}

}  // namespace hippocrate::client
