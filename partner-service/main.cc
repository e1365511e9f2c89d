// partner-service: partners, agreements and networks.
#include "common/server/bootstrap.h"
#include "partner-service/spec.h"

int main(int argc, char** argv) {
  return kyodo::common::server::RunService(argc, argv, kyodo::partner::Spec());
}
