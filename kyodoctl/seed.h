// Loading example data (kyodo.seed.v1.SeedFile textprotos) through the
// public RPCs, so every rule of the services applies to it.
#ifndef KYODO_KYODOCTL_SEED_H_
#define KYODO_KYODOCTL_SEED_H_

#include <functional>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "kyodoctl/client.h"

namespace kyodo::ctl {

// Runs every entry of the file at `path` in order. `refs` maps each entry's
// ref to the name of what it created, and is shared across files, so a later
// file may use refs of an earlier one. Each call carries a request_id derived
// from its ref: loading a file again creates nothing twice. Errors name the
// file and the ref.
absl::Status LoadSeedFile(
    Client& client, const std::string& path,
    std::map<std::string, std::string>& refs,
    const std::function<void(int done, int total)>& progress);

// The request id used for `ref` (a UUID built from its SHA-256).
std::string SeedRequestId(const std::string& ref);

}  // namespace kyodo::ctl

#endif  // KYODO_KYODOCTL_SEED_H_
