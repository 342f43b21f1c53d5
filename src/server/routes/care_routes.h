// Care relationship routes (docs/api.md "Care relationships"):
//   GET  /api/v1/patients                       a practitioner's patients (an assistant's:
//                                               those of the practitioners it acts for)
//   GET  /api/v1/patients/{id}                  one patient, object-level decision, audited
//   GET  /api/v1/practitioners                  a patient's practitioners (and requests)
//   POST /api/v1/care-relationships             a practitioner asks to link an existing patient
//   POST /api/v1/care-relationships/{id}/accept the patient accepts the request
//   POST /api/v1/care-relationships/{id}/end    either party ends it
//   GET  /api/v1/me/access-log                  who accessed my data (patients)
#pragma once

#include "access/care_relationships.h"
#include "access/patient_records.h"
#include "server/router.h"

namespace hippocrate::server {

// `store` holds the audit log read by the access-log route.
void add_care_routes(Router& router, auth::AuthService& auth, access::CareRelationships& care,
                     access::PatientRecords& patients, store::Store& store);

}  // namespace hippocrate::server
