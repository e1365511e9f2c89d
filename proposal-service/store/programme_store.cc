#include "proposal-service/store/programme_store.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "common/store/enum_table.h"
#include "common/store/lists.h"
#include "proposal-service/store/ids.h"

namespace kyodo::proposal::store {
namespace {

using common::db::Param;
using common::db::Row;
using common::db::Session;
using v1::Programme;
namespace doc = common::store;

// Every field from its typed column or child table (proposal-service/
// schema/005_programme_columns.sql); the document is written but no longer
// read. The eligible kinds and the amount caps come in the same statement,
// so a read sees one version of the programme. Indexes in ProgrammeOf
// follow this list.
constexpr char kSelect[] =
    "SELECT p.seq, p.id, p.version, p.create_time, p.update_time, "
    "p.delete_time, p.ward_number, p.kind_number, p.display_name, "
    "p.consigning_unit_id, p.same_ward_required, p.max_continuation_years, "
    "p.one_proposal_per_applicant, p.lifetime_adoption_limit, "
    "p.yearly_adoption_limit, p.network_conflicts, p.city_unit_conflicts, "
    "p.description, "
    "(SELECT GROUP_CONCAT(k.kind_number ORDER BY k.position) "
    "FROM programme_partner_kinds k WHERE k.programme_seq = p.seq), "
    "(SELECT GROUP_CONCAT(c.continuation_year, ':', c.max_amount_yen "
    "ORDER BY c.position) FROM programme_amount_caps c "
    "WHERE c.programme_seq = p.seq) FROM programmes p";
// A locking read takes the newest row, while the subqueries of the same
// statement read the statement's snapshot: under the lock, the children are
// read by a second statement, which sees what the row's last writer wrote
// (sessions run READ COMMITTED, common/db/pool.cc).
constexpr char kLockById[] =
    "SELECT seq FROM programmes WHERE id = ? FOR UPDATE";
constexpr char kInsert[] =
    "INSERT INTO programmes (id, ward, kind, display_name, version, "
    "create_time, update_time, delete_time, doc) "
    "VALUES (?, ?, ?, ?, 1, ?, ?, NULL, ?)";
constexpr char kUpdate[] =
    "UPDATE programmes SET kind = ?, display_name = ?, version = version + 1, "
    "update_time = ?, delete_time = ?, doc = ? WHERE id = ? AND version = ?";

// A stored flag: NULL (unset), 0 or 1.
absl::StatusOr<std::optional<bool>> Flag(const Row& row, size_t column,
                                         const doc::StoredAt& at) {
  KYODO_ASSIGN_OR_RETURN(const std::optional<int64_t> value,
                         row.OptionalInt(column));
  if (!value.has_value()) return std::optional<bool>();
  if (*value != 0 && *value != 1) {
    return doc::BadStoredValue(at, "not 0 or 1");
  }
  return std::optional<bool>(*value == 1);
}

// A stored int32 field: NULL (unset) or its value.
absl::StatusOr<std::optional<int32_t>> Int32(const Row& row, size_t column) {
  KYODO_ASSIGN_OR_RETURN(const std::optional<int64_t> value,
                         row.OptionalInt(column));
  if (!value.has_value()) return std::optional<int32_t>();
  return std::optional<int32_t>(static_cast<int32_t>(*value));
}

// The programme of a row of kSelect.
absl::StatusOr<ProgrammeRow> ProgrammeOf(const Row& row) {
  ProgrammeRow out;
  Programme& p = out.programme;
  KYODO_ASSIGN_OR_RETURN(const doc::RowMeta meta,
                         doc::ReadColumnsMeta(row, "programmes", &p));
  out.seq = meta.seq;
  out.version = meta.version;
  const std::string& id = row.String(1);
  auto at = [&](absl::string_view column) {
    return doc::StoredAt{"programmes", id, column};
  };
  KYODO_ASSIGN_OR_RETURN(const kyodo::type::v1::Ward ward,
                         doc::StoredEnumByNumber<kyodo::type::v1::Ward>(
                             row, 6, at("ward_number")));
  p.set_ward(ward);
  KYODO_ASSIGN_OR_RETURN(
      const Programme::Kind kind,
      doc::StoredEnumByNumber<Programme::Kind>(row, 7, at("kind_number")));
  p.set_kind(kind);
  p.set_display_name(row.String(8));
  p.set_consigning_unit(absl::StrCat("partners/", row.String(9)));
  // The flags and limits keep their presence: NULL is unset.
  const struct {
    size_t column;
    const char* name;
    void (Programme::*set)(bool);
  } flags[] = {
      {10, "same_ward_required", &Programme::set_same_ward_required},
      {12, "one_proposal_per_applicant",
       &Programme::set_one_proposal_per_applicant},
      {15, "network_conflicts", &Programme::set_network_conflicts},
      {16, "city_unit_conflicts", &Programme::set_city_unit_conflicts},
  };
  for (const auto& f : flags) {
    KYODO_ASSIGN_OR_RETURN(const std::optional<bool> value,
                           Flag(row, f.column, at(f.name)));
    if (value.has_value()) (p.*f.set)(*value);
  }
  const struct {
    size_t column;
    void (Programme::*set)(int32_t);
  } limits[] = {
      {11, &Programme::set_max_continuation_years},
      {13, &Programme::set_lifetime_adoption_limit},
      {14, &Programme::set_yearly_adoption_limit},
  };
  for (const auto& l : limits) {
    KYODO_ASSIGN_OR_RETURN(const std::optional<int32_t> value,
                           Int32(row, l.column));
    if (value.has_value()) (p.*l.set)(*value);
  }
  if (!row.IsNull(17)) p.set_description(row.String(17));
  const doc::StoredAt kinds_at = at("programme_partner_kinds.kind_number");
  KYODO_ASSIGN_OR_RETURN(const std::vector<int64_t> kinds,
                         doc::ReadNumberList(row, 18, kinds_at));
  for (const int64_t kind : kinds) {
    if (!kyodo::partner::v1::PartnerKind_IsValid(static_cast<int>(kind))) {
      return doc::BadStoredValue(
          kinds_at, absl::StrCat(kind, " names no value of PartnerKind"));
    }
    p.add_eligible_partner_kinds(
        static_cast<kyodo::partner::v1::PartnerKind>(kind));
  }
  const doc::StoredAt caps_at = at("programme_amount_caps");
  KYODO_ASSIGN_OR_RETURN(const auto caps,
                         doc::ReadList(row, 19, 2, 2, caps_at));
  for (const std::vector<std::string>& cap : caps) {
    KYODO_ASSIGN_OR_RETURN(const int64_t year,
                           doc::ListNumber(cap[0], caps_at));
    KYODO_ASSIGN_OR_RETURN(const int64_t yen, doc::ListNumber(cap[1], caps_at));
    v1::AmountCap* c = p.add_amount_caps();
    c->set_continuation_year(static_cast<int32_t>(year));
    c->set_max_amount_yen(yen);
  }
  return out;
}

absl::StatusOr<std::vector<ProgrammeRow>> FromRows(
    const std::vector<Row>& rows) {
  std::vector<ProgrammeRow> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    KYODO_ASSIGN_OR_RETURN(ProgrammeRow p, ProgrammeOf(row));
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::optional<ProgrammeRow>> GetProgramme(Session& s,
                                                         absl::string_view id,
                                                         bool for_update) {
  if (for_update) {
    KYODO_ASSIGN_OR_RETURN(std::optional<Row> locked,
                           s.QueryOne(kLockById, {id}));
    if (!locked.has_value()) return std::optional<ProgrammeRow>();
  }
  KYODO_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      s.Query(absl::StrCat(kSelect, " WHERE p.id = ?"), {id}));
  KYODO_ASSIGN_OR_RETURN(std::vector<ProgrammeRow> out, FromRows(rows));
  if (out.empty()) return std::optional<ProgrammeRow>();
  return std::optional<ProgrammeRow>(std::move(out.front()));
}

absl::Status InsertProgramme(Session& s, const Programme& p) {
  const absl::Time created = doc::FromTimestamp(p.create_time());
  return s
      .Exec(kInsert, {IdOf(p.name()), kyodo::type::v1::Ward_Name(p.ward()),
                      Programme::Kind_Name(p.kind()), p.display_name(), created,
                      created, doc::ToDoc(p)})
      .status();
}

absl::Status UpdateProgramme(Session& s, const Programme& p, int64_t version) {
  std::optional<absl::Time> deleted;
  if (p.has_delete_time()) deleted = doc::FromTimestamp(p.delete_time());
  KYODO_ASSIGN_OR_RETURN(
      int64_t changed,
      s.Exec(kUpdate, {Programme::Kind_Name(p.kind()), p.display_name(),
                       doc::FromTimestamp(p.update_time()), deleted,
                       doc::ToDoc(p), IdOf(p.name()), version}));
  if (changed == 0) return common::EtagMismatchError(p.name());
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ProgrammeRow>> ListProgrammes(
    Session& s, const common::paging::SqlFilter& filter, bool show_deleted,
    int64_t after_seq, int limit) {
  std::string sql = absl::StrCat(kSelect, " WHERE p.seq > ?");
  std::vector<Param> params = {after_seq};
  if (!show_deleted) absl::StrAppend(&sql, " AND p.delete_time IS NULL");
  absl::StrAppend(&sql, filter.sql, " ORDER BY p.seq LIMIT ?");
  params.insert(params.end(), filter.params.begin(), filter.params.end());
  params.emplace_back(limit);
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(sql, params));
  return FromRows(rows);
}

const std::vector<common::paging::FilterField>& ProgrammeFilterFields() {
  using common::paging::FilterField;
  using common::paging::FilterType;
  static const auto* fields = new std::vector<FilterField>{
      {"ward", "ward", FilterType::kEnum, kyodo::type::v1::Ward_descriptor()},
      {"kind", "kind", FilterType::kEnum, Programme::Kind_descriptor()},
      {"display_name", "display_name", FilterType::kString},
      {"create_time", "create_time", FilterType::kTimestamp},
      {"update_time", "update_time", FilterType::kTimestamp},
  };
  return *fields;
}

}  // namespace kyodo::proposal::store
