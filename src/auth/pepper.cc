#include "auth/pepper.h"

#include "base/key_file.h"

namespace hippocrate::auth {

Result<SecretBytes> load_or_create_pepper(const std::filesystem::path& file) {
  return load_or_create_key_file(
      file, kPepperBytes,
      {"pepper_file", "the pepper file",
       "restore it from a backup (a new pepper would make every stored password hash "
       "unusable)"});
}

}  // namespace hippocrate::auth
