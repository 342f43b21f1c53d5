// System routes, public (no credentials):
//   GET /healthz        liveness + database reachable: 200 {"status":"ok","database":"ok"}
//                       or 503 {"error":{"code":"database_unavailable",...}}
//   GET /api/v1/version {"name":"hippocrate","version":"0.1.0","api":"v1"}
#pragma once

#include "server/router.h"
#include "store/store.h"

namespace hippocrate::server {

// `store` must outlive the router.
void add_system_routes(Router& router, store::Store& store);

}  // namespace hippocrate::server
