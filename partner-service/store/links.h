// Link tables (agreement_parties, network_members): a resource row's set of
// partner ids, replaced as a whole when the resource is written.
#ifndef KYODO_PARTNER_SERVICE_STORE_LINKS_H_
#define KYODO_PARTNER_SERVICE_STORE_LINKS_H_

#include "absl/status/status.h"
#include "common/db/session.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace kyodo::partner::store {

struct LinkTable {
  const char* delete_sql;  // one ?: the owner seq
  const char* insert_sql;  // two ?: owner seq, partner id
};

inline constexpr LinkTable kAgreementParties = {
    "DELETE FROM agreement_parties WHERE agreement_seq = ?",
    "INSERT INTO agreement_parties (agreement_seq, partner_id) VALUES (?, ?)"};
inline constexpr LinkTable kNetworkMembers = {
    "DELETE FROM network_members WHERE network_seq = ?",
    "INSERT INTO network_members (network_seq, partner_id) VALUES (?, ?)"};

// Makes the links of `owner_seq` exactly `partner_names`
// ("partners/{id}"). FAILED_PRECONDITION when a partner does not exist.
absl::Status ReplaceLinks(
    common::db::Session& s, const LinkTable& table, int64_t owner_seq,
    const google::protobuf::RepeatedPtrField<std::string>& partner_names);

// "partners/abc" -> "abc".
std::string PartnerId(absl::string_view name);

}  // namespace kyodo::partner::store

#endif  // KYODO_PARTNER_SERVICE_STORE_LINKS_H_
