#include "partner-service/domain/rules.h"

#include <cctype>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/text/text.h"
#include "common/time/date.h"

namespace kyodo::partner::domain {
namespace {

using common::InvalidArgumentError;
using kyodo::partner::v1::Agreement;
using kyodo::partner::v1::Network;
using kyodo::partner::v1::Partner;

std::string F(absl::string_view prefix, absl::string_view field) {
  return absl::StrCat(prefix, ".", field);
}

bool IsBlank(absl::string_view text) {
  return absl::StripAsciiWhitespace(text).empty();
}

absl::Status ValidateContacts(const Partner& p, absl::string_view field) {
  for (int i = 0; i < p.contacts_size(); ++i) {
    const auto& c = p.contacts(i);
    const std::string at = absl::StrCat(field, ".contacts[", i, "]");
    if (IsBlank(c.person_name()) && IsBlank(c.email()) && IsBlank(c.phone())) {
      return InvalidArgumentError(at, "needs a person_name, email or phone");
    }
    if (!c.email().empty() && !common::IsMailAddress(c.email())) {
      return InvalidArgumentError(F(at, "email"),
                                  "is not a mail address kyodo can send to");
    }
    for (char ch : c.phone()) {
      if (!std::isdigit(static_cast<unsigned char>(ch)) && ch != '-' &&
          ch != '+' && ch != ' ' && ch != '(' && ch != ')') {
        return InvalidArgumentError(F(at, "phone"),
                                    "may hold digits, spaces and + - ( ) only");
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateNames(
    const google::protobuf::RepeatedPtrField<std::string>& names,
    absl::string_view field, size_t min_distinct) {
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < names.size(); ++i) {
    const std::string at = absl::StrCat(field, "[", i, "]");
    auto id = common::ParseName(at, names[i], "partners");
    if (!id.ok()) return id.status();
    if (!seen.insert(names[i]).second) {
      return InvalidArgumentError(at, "is listed twice");
    }
  }
  if (seen.size() < min_distinct) {
    return InvalidArgumentError(
        field,
        absl::StrCat("needs at least ", min_distinct, " distinct partners"));
  }
  return absl::OkStatus();
}

// A valid `date` on or after `sign_date`.
absl::Status CheckLaterDate(const google::type::Date& sign_date,
                            const google::type::Date& date,
                            absl::string_view field) {
  KYODO_RETURN_IF_ERROR(common::ValidateDate(field, date));
  if (common::ToCivilDay(date) < common::ToCivilDay(sign_date)) {
    return InvalidArgumentError(field, "is before sign_date");
  }
  return absl::OkStatus();
}

// Partner.other_wards: distinct wards other than `ward`, which must be set;
// never on a CITY_UNIT (it belongs to one ward office).
absl::Status ValidateOtherWards(const Partner& p, absl::string_view field) {
  if (p.other_wards().empty()) return absl::OkStatus();
  const std::string f = F(field, "other_wards");
  if (p.kind() == kyodo::partner::v1::CITY_UNIT) {
    return InvalidArgumentError(f, "a CITY_UNIT belongs to one ward office");
  }
  if (p.ward() == kyodo::type::v1::WARD_UNSPECIFIED) {
    return InvalidArgumentError(f, "needs `ward`, where the partner is based");
  }
  absl::flat_hash_set<int> seen;
  for (int i = 0; i < p.other_wards_size(); ++i) {
    const std::string at = absl::StrCat(f, "[", i, "]");
    const int w = p.other_wards(i);
    if (w == kyodo::type::v1::WARD_UNSPECIFIED ||
        !kyodo::type::v1::Ward_IsValid(w)) {
      return InvalidArgumentError(at, "must be one of the seven wards");
    }
    if (w == p.ward()) {
      return InvalidArgumentError(at, "is the partner's own `ward`");
    }
    if (!seen.insert(w).second)
      return InvalidArgumentError(at, "is listed twice");
  }
  return absl::OkStatus();
}

}  // namespace

int CorporateNumberCheckDigit(absl::string_view base12) {
  int sum = 0;
  for (int n = 1; n <= 12; ++n) {
    const int digit = base12[12 - n] - '0';
    sum += digit * (n % 2 == 1 ? 1 : 2);
  }
  return 9 - sum % 9;
}

bool IsValidCorporateNumber(absl::string_view number) {
  if (number.size() != 13) return false;
  for (char c : number) {
    if (c < '0' || c > '9') return false;
  }
  return number[0] - '0' == CorporateNumberCheckDigit(number.substr(1));
}

void ClearEmptyReferences(kyodo::partner::v1::Partner* partner) {
  if (partner->corporate_number().empty()) partner->clear_corporate_number();
  if (partner->parent().empty()) partner->clear_parent();
}

absl::Status ValidatePartner(const Partner& p, absl::string_view field) {
  if (p.kind() == kyodo::partner::v1::PARTNER_KIND_UNSPECIFIED) {
    return InvalidArgumentError(F(field, "kind"), "required",
                                kyodo::type::v1::FIELD_REQUIRED);
  }
  if (IsBlank(p.display_name())) {
    return InvalidArgumentError(F(field, "display_name"), "required",
                                kyodo::type::v1::FIELD_REQUIRED);
  }
  if (!p.corporate_number().empty() &&
      !IsValidCorporateNumber(p.corporate_number())) {
    return InvalidArgumentError(
        F(field, "corporate_number"),
        "must be 13 digits whose first is the check digit of the other 12 "
        "(法人番号)",
        kyodo::type::v1::INVALID_CORPORATE_NUMBER);
  }
  if (!p.website_uri().empty() &&
      !absl::StartsWith(p.website_uri(), "https://") &&
      !absl::StartsWith(p.website_uri(), "http://")) {
    return InvalidArgumentError(F(field, "website_uri"),
                                "must start with https:// or http://");
  }
  if (!p.parent().empty()) {
    auto parent = common::ParseName(F(field, "parent"), p.parent(), "partners");
    if (!parent.ok()) return parent.status();
    if (p.kind() != kyodo::partner::v1::CITY_UNIT) {
      return common::FailedPreconditionError(
          kyodo::type::v1::PARENT_ONLY_FOR_CITY_UNIT,
          "only a CITY_UNIT belongs to a parent unit");
    }
    if (p.parent() == p.name()) {
      return common::FailedPreconditionError(kyodo::type::v1::PARENT_CYCLE,
                                             "a unit cannot be its own parent");
    }
  }
  KYODO_RETURN_IF_ERROR(ValidateOtherWards(p, field));
  return ValidateContacts(p, field);
}

absl::Status CheckNoParentCycle(
    absl::string_view id, absl::string_view parent_id,
    absl::FunctionRef<
        absl::StatusOr<std::optional<std::string>>(absl::string_view)>
        parent_of) {
  // Deeper than any real organisation chart; a longer chain is corrupt data.
  constexpr int kMaxDepth = 64;
  std::string current(parent_id);
  for (int depth = 0; depth < kMaxDepth; ++depth) {
    if (current == id) {
      return common::FailedPreconditionError(
          kyodo::type::v1::PARENT_CYCLE,
          "the chosen parent is this unit or one of the units below it");
    }
    auto next = parent_of(current);
    if (!next.ok()) return next.status();
    if (!next->has_value()) return absl::OkStatus();
    current = **next;
  }
  return common::FailedPreconditionError(
      kyodo::type::v1::PARENT_CYCLE,
      "the parent chain is deeper than 64 units");
}

absl::Status ValidateAgreement(const Agreement& a, absl::string_view field) {
  if (IsBlank(a.display_name())) {
    return InvalidArgumentError(F(field, "display_name"), "required",
                                kyodo::type::v1::FIELD_REQUIRED);
  }
  if (a.kind() == Agreement::KIND_UNSPECIFIED) {
    return InvalidArgumentError(F(field, "kind"), "required",
                                kyodo::type::v1::FIELD_REQUIRED);
  }
  KYODO_RETURN_IF_ERROR(ValidateNames(a.parties(), F(field, "parties"), 2));
  if (a.has_sign_date()) {
    KYODO_RETURN_IF_ERROR(
        common::ValidatePartialDate(F(field, "sign_date"), a.sign_date()));
  }
  if (a.has_end_date()) {
    KYODO_RETURN_IF_ERROR(
        CheckLaterDate(a.sign_date(), a.end_date(), F(field, "end_date")));
  }
  if (a.has_renewal_date()) {
    KYODO_RETURN_IF_ERROR(CheckLaterDate(a.sign_date(), a.renewal_date(),
                                         F(field, "renewal_date")));
  }
  for (int i = 0; i < a.themes_size(); ++i) {
    if (IsBlank(a.themes(i))) {
      return InvalidArgumentError(absl::StrCat(field, ".themes[", i, "]"),
                                  "is blank");
    }
  }
  return absl::OkStatus();
}

Agreement::State AgreementState(const Agreement& a, absl::CivilDay today) {
  if (a.has_end_date() && common::ToCivilDay(a.end_date()) < today) {
    return Agreement::ENDED;
  }
  return Agreement::IN_FORCE;
}

absl::Status ValidateNetwork(const Network& n, absl::string_view field) {
  if (IsBlank(n.display_name())) {
    return InvalidArgumentError(F(field, "display_name"), "required",
                                kyodo::type::v1::FIELD_REQUIRED);
  }
  auto unit = common::ParseName(F(field, "convening_unit"), n.convening_unit(),
                                "partners");
  if (!unit.ok()) return unit.status();
  return ValidateNames(n.members(), F(field, "members"), 1);
}

}  // namespace kyodo::partner::domain
