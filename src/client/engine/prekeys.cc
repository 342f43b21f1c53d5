#include "client/engine/prekeys.h"

#include "client/engine/json_fields.h"

namespace hippocrate::client {

Step ReplenishPrekeys::start() {
  HIPPO_FINISH_IF_ERROR(engine_.require_state());
  stage_ = Stage::kCount;
  // The counts ride on one's own listing when it was read in this command (GET
  // /api/v1/me/devices gives them for one's current devices): no request then.
  if (const auto* own = engine_.cached_own_listing()) {
    for (const auto& d : json_array(*own, "devices")) {
      if (d.is_object() && json_string(d.as_object(), "device_id") == engine_.device_id() &&
          d.as_object().contains("prekeys")) {
        return resume(json_object(d.as_object(), "prekeys"));
      }
    }
  }
  return engine_.request({"GET", "/api/v1/devices/" + engine_.device_id() + "/prekeys/count", {}});
}

Step ReplenishPrekeys::resume(Answer answer) {
  switch (stage_) {
    case Stage::kCount: {
      if (!answer) return finish(answer.error());
      auto upload =
          plan_prekey_upload(engine_.state(), *answer, engine_.now_seconds(), engine_.keys());
      if (!upload) return finish(upload.error());
      if (!*upload) return finish(false);
      upload_ = std::move((*upload)->request);
      stage_ = Stage::kCommit;
      return engine_.commit(std::move((*upload)->next));
    }
    case Stage::kCommit:
      HIPPO_FINISH_IF_ERROR(engine_.committed(answer));
      stage_ = Stage::kUpload;
      // Not keeps_devices: the counts in a cached own listing are stale after it.
      return engine_.request(std::move(upload_));
    case Stage::kUpload:
      if (!answer) return finish(answer.error());
      return finish(true);
  }
  return finish(Error::internal("operation_state", "prekeys: unknown stage"));
}

}  // namespace hippocrate::client
