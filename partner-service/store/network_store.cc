#include "partner-service/store/network_store.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "common/store/enum_table.h"
#include "partner-service/store/links.h"

namespace kyodo::partner::store {
namespace {

using common::db::Param;
using common::db::Row;
using common::db::Session;
using kyodo::partner::v1::Network;
namespace doc = common::store;

// Every field from its typed column (partner-service/schema/
// 004_agreement_network_columns.sql); the document is written but no longer
// read. Indexes in NetworkOf follow this list.
constexpr char kSelect[] =
    "SELECT seq, id, version, create_time, update_time, delete_time, "
    "display_name, convening_unit_id, ward_number, description FROM networks";
// The members of the networks whose seqs fill the IN list, in order.
constexpr char kMembers[] =
    "SELECT network_seq, partner_id FROM network_members "
    "WHERE network_seq IN (%s) ORDER BY network_seq, position";
constexpr char kInsert[] =
    "INSERT INTO networks (id, display_name, convening_unit_id, ward, "
    "version, create_time, update_time, delete_time, doc) "
    "VALUES (?, ?, ?, ?, 1, ?, ?, NULL, ?)";
constexpr char kUpdate[] =
    "UPDATE networks SET display_name = ?, convening_unit_id = ?, ward = ?, "
    "version = version + 1, update_time = ?, delete_time = ?, doc = ? "
    "WHERE seq = ? AND version = ?";

std::optional<std::string> WardColumn(const Network& n) {
  if (n.ward() == kyodo::type::v1::WARD_UNSPECIFIED) return std::nullopt;
  return kyodo::type::v1::Ward_Name(n.ward());
}

// The ward is a column and an output field: keep it in the row, not the doc.
std::string Doc(const Network& n) {
  Network copy = n;
  copy.clear_ward();
  return doc::ToDoc(copy);
}

// The network of `row`, without its members.
absl::StatusOr<NetworkRow> NetworkOf(const Row& row) {
  NetworkRow out;
  Network& n = out.network;
  KYODO_ASSIGN_OR_RETURN(const doc::RowMeta meta,
                         doc::ReadColumnsMeta(row, "networks", &n));
  out.seq = meta.seq;
  out.version = meta.version;
  const std::string& id = row.String(1);
  n.set_display_name(row.String(6));
  n.set_convening_unit(absl::StrCat("partners/", row.String(7)));
  // NULL is a network of no one ward.
  KYODO_ASSIGN_OR_RETURN(std::optional<kyodo::type::v1::Ward> ward,
                         doc::StoredOptionalEnumByNumber<kyodo::type::v1::Ward>(
                             row, 8, {"networks", id, "ward_number"}));
  if (ward.has_value()) n.set_ward(*ward);
  if (!row.IsNull(9)) n.set_description(row.String(9));
  return out;
}

// Networks from rows of kSelect, with their members read in one more query.
absl::StatusOr<std::vector<NetworkRow>> FromRows(Session& s,
                                                 const std::vector<Row>& rows) {
  std::vector<NetworkRow> out;
  out.reserve(rows.size());
  std::vector<Param> seqs;
  absl::flat_hash_map<int64_t, size_t> index;
  for (const Row& row : rows) {
    KYODO_ASSIGN_OR_RETURN(NetworkRow n, NetworkOf(row));
    seqs.emplace_back(n.seq);
    index[n.seq] = out.size();
    out.push_back(std::move(n));
  }
  if (seqs.empty()) return out;
  KYODO_ASSIGN_OR_RETURN(
      std::vector<Row> members,
      s.Query(absl::StrFormat(kMembers, Placeholders(seqs.size())), seqs));
  for (const Row& member : members) {
    KYODO_ASSIGN_OR_RETURN(const int64_t seq, member.Int(0));
    out[index.at(seq)].network.add_members(
        absl::StrCat("partners/", member.String(1)));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::optional<NetworkRow>> GetNetwork(Session& s,
                                                     absl::string_view id,
                                                     bool for_update) {
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows,
                         s.Query(absl::StrCat(kSelect, " WHERE id = ?",
                                              for_update ? " FOR UPDATE" : ""),
                                 {id}));
  KYODO_ASSIGN_OR_RETURN(std::vector<NetworkRow> out, FromRows(s, rows));
  if (out.empty()) return std::optional<NetworkRow>();
  return std::optional<NetworkRow>(std::move(out.front()));
}

absl::Status InsertNetwork(Session& s, const Network& n) {
  const absl::Time created = doc::FromTimestamp(n.create_time());
  const std::string id = PartnerId(n.name());
  KYODO_RETURN_IF_ERROR(
      s.Exec(kInsert, {id, n.display_name(), PartnerId(n.convening_unit()),
                       WardColumn(n), created, created, Doc(n)})
          .status());
  return LinkInserted(s, kNetworkMembers, n.name(), n.members());
}

absl::Status UpdateNetwork(Session& s, const Network& n, int64_t version) {
  KYODO_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      s.QueryOne(kNetworkMembers.owner_seq_sql, {PartnerId(n.name())}));
  if (!row.has_value()) return common::NotFoundError(n.name());
  KYODO_ASSIGN_OR_RETURN(const int64_t seq, row->Int(0));
  std::optional<absl::Time> deleted;
  if (n.has_delete_time()) deleted = doc::FromTimestamp(n.delete_time());
  KYODO_ASSIGN_OR_RETURN(
      int64_t changed,
      s.Exec(kUpdate, {n.display_name(), PartnerId(n.convening_unit()),
                       WardColumn(n), doc::FromTimestamp(n.update_time()),
                       deleted, Doc(n), seq, version}));
  if (changed == 0) return common::EtagMismatchError(n.name());
  return ReplaceLinks(s, kNetworkMembers, seq, n.members());
}

absl::StatusOr<std::vector<NetworkRow>> ListNetworks(
    Session& s, const common::paging::SqlFilter& filter, bool show_deleted,
    int64_t after_seq, int limit) {
  std::string sql = absl::StrCat(kSelect, " n WHERE n.seq > ?");
  std::vector<Param> params = {after_seq};
  if (!show_deleted) absl::StrAppend(&sql, " AND n.delete_time IS NULL");
  absl::StrAppend(&sql, filter.sql, " ORDER BY n.seq LIMIT ?");
  params.insert(params.end(), filter.params.begin(), filter.params.end());
  params.emplace_back(limit);
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(sql, params));
  return FromRows(s, rows);
}

const std::vector<common::paging::FilterField>& NetworkFilterFields() {
  using common::paging::FilterField;
  using common::paging::FilterType;
  static const auto* fields = new std::vector<FilterField>{
      {"display_name", "n.display_name", FilterType::kString},
      {"ward", "n.ward", FilterType::kEnum, kyodo::type::v1::Ward_descriptor()},
      {"convening_unit", "n.convening_unit_id", FilterType::kString, nullptr,
       [](absl::string_view v) {
         return common::ParseName("convening_unit", v, "partners");
       }},
      {"member", "", FilterType::kMember, nullptr,
       [](absl::string_view v) {
         return common::ParseName("member", v, "partners");
       },
       "EXISTS (SELECT 1 FROM network_members m WHERE m.network_seq = n.seq "
       "AND m.partner_id = ?)"},
      {"create_time", "n.create_time", FilterType::kTimestamp},
      {"update_time", "n.update_time", FilterType::kTimestamp},
  };
  return *fields;
}

}  // namespace kyodo::partner::store
