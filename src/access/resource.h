// Resolving the facts the policy decision point needs about a resource (access/policy.h),
// inside the caller's transaction, so the decision and the action it guards see the same
// snapshot. Unknown ids resolve to a Resource with exists = false (never an error): the
// policy then refuses with "resource_not_found", the same answer as for a resource the
// subject may not see, so ids cannot be probed.
#pragma once

#include <string_view>

#include "access/policy.h"
#include "auth/auth_service.h"
#include "store/store.h"

namespace hippocrate::access {

// The subject of a request's session.
Subject subject_of(const auth::SessionInfo& session);

// An account (kind "account"): organisation and role.
Result<Resource> resolve_account(store::Transaction& tx, std::string_view account_id);
// The same, by normalised e-mail address; `id` is filled when it exists.
Result<Resource> resolve_account_by_email(store::Transaction& tx, std::string_view email);

// A patient (kind "patient"; exists only for accounts whose role is patient), with the
// subject's care relationship state (practitioners) or whether a practitioner who delegated
// to the subject cares for the patient (assistants).
Result<Resource> resolve_patient(store::Transaction& tx, const Subject& subject,
                                 std::string_view patient_id);

}  // namespace hippocrate::access
