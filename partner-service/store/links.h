// Link tables (agreement_parties, network_members): a resource row's set of
// partner ids, replaced as a whole when the resource is written.
#ifndef KYODO_PARTNER_SERVICE_STORE_LINKS_H_
#define KYODO_PARTNER_SERVICE_STORE_LINKS_H_

#include "absl/status/status.h"
#include "common/db/session.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace kyodo::partner::store {

struct LinkTable {
  const char* owner_seq_sql;  // one ?: the owner id
  const char* delete_sql;     // one ?: the owner seq
  const char* insert_sql;     // two ?: owner seq, partner id
};

inline constexpr LinkTable kAgreementParties = {
    "SELECT seq FROM agreements WHERE id = ?",
    "DELETE FROM agreement_parties WHERE agreement_seq = ?",
    "INSERT INTO agreement_parties (agreement_seq, partner_id) VALUES (?, ?)"};
inline constexpr LinkTable kNetworkMembers = {
    "SELECT seq FROM networks WHERE id = ?",
    "DELETE FROM network_members WHERE network_seq = ?",
    "INSERT INTO network_members (network_seq, partner_id) VALUES (?, ?)"};

// Makes the links of `owner_seq` exactly `partner_names`
// ("partners/{id}"). FAILED_PRECONDITION when a partner does not exist.
absl::Status ReplaceLinks(
    common::db::Session& s, const LinkTable& table, int64_t owner_seq,
    const google::protobuf::RepeatedPtrField<std::string>& partner_names);

// The links of the owner `owner_name` ("agreements/{id}", "networks/{id}")
// that `s` has just inserted: finds its seq in the same transaction and
// calls ReplaceLinks. INTERNAL if the row is not there, which the insert
// would have said.
absl::Status LinkInserted(
    common::db::Session& s, const LinkTable& table,
    absl::string_view owner_name,
    const google::protobuf::RepeatedPtrField<std::string>& partner_names);

// "?,?,?" for an IN list of `n` parameters (n > 0).
std::string Placeholders(size_t n);

// "partners/abc" -> "abc".
std::string PartnerId(absl::string_view name);

}  // namespace kyodo::partner::store

#endif  // KYODO_PARTNER_SERVICE_STORE_LINKS_H_
