#include "auth/webauthn/errors.h"

namespace hippocrate::auth::webauthn {

Error refusal(std::string_view code, std::string message) {
  return Error::invalid_argument(std::string(code), std::move(message));
}

}  // namespace hippocrate::auth::webauthn
