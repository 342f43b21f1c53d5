// Care relationship routes (docs/api.md "Care relationships"):
//   GET  /api/v1/patients                       a practitioner's patients
//   GET  /api/v1/practitioners                  a patient's practitioners
//   POST /api/v1/care-relationships/{id}/end    either party ends it
//   GET  /api/v1/me/access-log                  who accessed my data (patients)
#pragma once

#include "access/care_relationships.h"
#include "server/router.h"

namespace hippocrate::server {

// `store` holds the audit log read by the access-log route.
void add_care_routes(Router& router, auth::AuthService& auth, access::CareRelationships& care,
                     store::Store& store);

}  // namespace hippocrate::server
