#include "client/engine/contacts.h"

#include "client/engine/json_fields.h"

namespace hippocrate::client {

Step FetchContacts::start() {
  if (engine_.contacts()) return finish(*engine_.contacts());
  return engine_.request({"GET", "/api/v1/contacts", {}});
}

Step FetchContacts::resume(Answer answer) {
  if (!answer) return finish(answer.error());
  std::vector<AccountInfo> out;
  if (const auto* list = answer->if_contains("contacts"); list && list->is_array()) {
    for (const auto& item : list->as_array()) {
      if (!item.is_object()) continue;
      const auto& o = item.as_object();
      out.push_back({json_string(o, "account_id"), json_string(o, "email"),
                     json_string(o, "display_name"), json_string(o, "role")});
    }
  }
  engine_.set_contacts(out);
  return finish(std::move(out));
}

}  // namespace hippocrate::client
