// Mailbox itself: its construction, and what its operations share. The operations are
// in the other mailbox_*.cc files, one concern each (messaging/README.md names them).
#include "messaging/mailbox.h"

#include <memory>
#include <string>

#include "messaging/mailbox_impl.h"

namespace hippocrate::messaging {

Error detail::invalid_field(std::string_view field, std::string_view what) {
  return Error::invalid_argument("invalid_field",
                                 "the field '" + std::string(field) + "' " + std::string(what));
}

Mailbox::Mailbox(store::Store& store, const Clock& clock, const audit::AuditLog& audit,
                 LiveRegistry& live)
    : impl_(std::make_unique<Impl>(store, clock, audit, live)) {}

Mailbox::~Mailbox() = default;

std::uint64_t Mailbox::early_deliveries_without_read() const {
  return impl_->early_without_read_.load();
}

}  // namespace hippocrate::messaging
