// Who an account is, as the client core knows it: from GET /api/v1/me (oneself), GET
// /api/v1/contacts (the accounts one may message), or the keystore's memory of a former
// contact. Display data only: trust rests on account keys (keystore.h), never on these.
#pragma once

#include <string>

namespace hippocrate::client {

struct AccountInfo {
  std::string account_id;
  std::string email;
  std::string display_name;
  std::string role;
};

// "Name <email>", the name or the e-mail alone, or the account id when nothing else is known.
std::string describe(const AccountInfo& account);

}  // namespace hippocrate::client
