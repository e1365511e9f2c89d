// What partner-service is to common/server/bootstrap.h: its name, schema,
// migrations and objects. main.cc runs it; tests/deploy builds the next
// release of it from the same spec (one more migration, upgrade_test.cc).
#ifndef KYODO_PARTNER_SERVICE_SPEC_H_
#define KYODO_PARTNER_SERVICE_SPEC_H_

#include "common/server/bootstrap.h"

namespace kyodo::partner {

common::server::ServiceSpec Spec();

}  // namespace kyodo::partner

#endif  // KYODO_PARTNER_SERVICE_SPEC_H_
