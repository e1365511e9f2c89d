#include "partner-service/domain/rules.h"

#include <map>
#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace kyodo::partner::domain {
namespace {

using kyodo::partner::v1::Agreement;
using kyodo::partner::v1::Partner;

TEST(CorporateNumberTest, NationalTaxAgencyOwnNumberIsValid) {
  // 国税庁's own 法人番号.
  EXPECT_EQ(CorporateNumberCheckDigit("000012050002"), 7);
  EXPECT_TRUE(IsValidCorporateNumber("7000012050002"));
}

TEST(CorporateNumberTest, EveryWrongCheckDigitIsRefused) {
  for (char digit = '0'; digit <= '9'; ++digit) {
    std::string number = "7000012050002";
    number[0] = digit;
    EXPECT_EQ(IsValidCorporateNumber(number), digit == '7') << number;
  }
}

TEST(CorporateNumberTest, ShapeIsChecked) {
  EXPECT_FALSE(IsValidCorporateNumber(""));
  EXPECT_FALSE(IsValidCorporateNumber("700001205000"));    // 12 digits
  EXPECT_FALSE(IsValidCorporateNumber("70000120500020"));  // 14 digits
  EXPECT_FALSE(IsValidCorporateNumber("700001205000X"));
  EXPECT_FALSE(IsValidCorporateNumber("７000012050002"));  // full-width
}

TEST(ValidatePartnerTest, RequiresKindAndDisplayName) {
  Partner p;
  EXPECT_EQ(ValidatePartner(p, "partner").message(), "partner.kind: required");
  p.set_kind(v1::CIVIC_GROUP);
  p.set_display_name("  ");
  EXPECT_EQ(ValidatePartner(p, "partner").message(),
            "partner.display_name: required");
  p.set_display_name("海風の森をMAZUつくる会");
  EXPECT_TRUE(ValidatePartner(p, "partner").ok());
}

TEST(ValidatePartnerTest, ParentOnlyForCityUnits) {
  Partner p;
  p.set_kind(v1::COMPANY);
  p.set_display_name("富士通株式会社");
  p.set_parent("partners/abc");
  absl::Status status = ValidatePartner(p, "partner");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  p.set_kind(v1::CITY_UNIT);
  EXPECT_TRUE(ValidatePartner(p, "partner").ok());
  p.set_parent("not a name");
  EXPECT_EQ(ValidatePartner(p, "partner").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ValidatePartnerTest, ContactsAreChecked) {
  Partner p;
  p.set_kind(v1::CIVIC_GROUP);
  p.set_display_name("文化魂2014");
  p.add_contacts()->set_email("bunka@example.jp");
  EXPECT_TRUE(ValidatePartner(p, "partner").ok());
  p.add_contacts()->set_email("no-at-sign");
  EXPECT_EQ(
      ValidatePartner(p, "partner").message(),
      "partner.contacts[1].email: is not a mail address kyodo can send to");
  p.mutable_contacts(1)->Clear();
  EXPECT_EQ(ValidatePartner(p, "partner").message(),
            "partner.contacts[1]: needs a person_name, email or phone");
}

TEST(ParentCycleTest, DetectsLoopsThroughAncestors) {
  // a <- b <- c (c's parent is b, b's parent is a).
  std::map<std::string, std::optional<std::string>> parents = {
      {"a", std::nullopt}, {"b", "a"}, {"c", "b"}};
  auto parent_of =
      [&](absl::string_view id) -> absl::StatusOr<std::optional<std::string>> {
    return parents[std::string(id)];
  };
  // Making a's parent c closes a -> c -> b -> a.
  absl::Status cycle = CheckNoParentCycle("a", "c", parent_of);
  EXPECT_EQ(cycle.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(CheckNoParentCycle("c", "a", parent_of).ok());
  EXPECT_FALSE(CheckNoParentCycle("b", "b", parent_of).ok());
}

TEST(ValidateAgreementTest, NeedsTwoDistinctPartiesAndDates) {
  Agreement a;
  a.set_display_name("川崎市と世田谷区との包括協定");
  a.set_kind(Agreement::COMPREHENSIVE);
  a.add_parties("partners/city");
  a.mutable_sign_date()->set_year(2015);
  a.mutable_sign_date()->set_month(3);
  a.mutable_sign_date()->set_day(30);
  EXPECT_EQ(ValidateAgreement(a, "agreement").message(),
            "agreement.parties: needs at least 2 distinct partners");
  a.add_parties("partners/city");
  EXPECT_EQ(ValidateAgreement(a, "agreement").message(),
            "agreement.parties[1]: is listed twice");
  a.set_parties(1, "partners/setagaya");
  EXPECT_TRUE(ValidateAgreement(a, "agreement").ok());
  a.mutable_end_date()->set_year(2015);
  a.mutable_end_date()->set_month(2);
  a.mutable_end_date()->set_day(1);
  EXPECT_EQ(ValidateAgreement(a, "agreement").message(),
            "agreement.end_date: is before sign_date");
  a.mutable_end_date()->set_month(2);
  a.mutable_end_date()->set_day(30);
  a.mutable_end_date()->set_year(2016);
  EXPECT_EQ(ValidateAgreement(a, "agreement").code(),
            absl::StatusCode::kInvalidArgument);  // no 30 February
}

TEST(ValidateAgreementTest, SignDateMayBeKnownOnlyToTheMonthOrYear) {
  Agreement a;
  a.set_display_name(
      "スマートコミュニティの実現に向けた連携・協力に関する協定");
  a.set_kind(Agreement::THEME);
  a.add_parties("partners/city");
  a.add_parties("partners/toshiba");
  EXPECT_TRUE(ValidateAgreement(a, "agreement").ok());  // not recorded
  a.mutable_sign_date()->set_year(2013);
  a.mutable_sign_date()->set_month(10);  // "2013年10月"
  EXPECT_TRUE(ValidateAgreement(a, "agreement").ok());
  a.mutable_sign_date()->set_month(13);
  EXPECT_EQ(ValidateAgreement(a, "agreement").message(),
            "agreement.sign_date: month must be 0 (unknown) or 1..12");
  a.mutable_sign_date()->set_month(10);
  a.mutable_end_date()->set_year(2013);
  a.mutable_end_date()->set_month(9);
  a.mutable_end_date()->set_day(30);
  EXPECT_EQ(ValidateAgreement(a, "agreement").message(),
            "agreement.end_date: is before sign_date");
  a.mutable_end_date()->set_month(10);
  a.mutable_end_date()->set_day(1);
  EXPECT_TRUE(ValidateAgreement(a, "agreement").ok());
  a.mutable_end_date()->set_day(0);  // an end date must be a full date
  EXPECT_EQ(ValidateAgreement(a, "agreement").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AgreementStateTest, EndsAfterItsEndDate) {
  Agreement a;
  a.mutable_end_date()->set_year(2026);
  a.mutable_end_date()->set_month(3);
  a.mutable_end_date()->set_day(31);
  EXPECT_EQ(AgreementState(a, absl::CivilDay(2026, 3, 31)),
            Agreement::IN_FORCE);
  EXPECT_EQ(AgreementState(a, absl::CivilDay(2026, 4, 1)), Agreement::ENDED);
  a.clear_end_date();
  EXPECT_EQ(AgreementState(a, absl::CivilDay(2099, 1, 1)), Agreement::IN_FORCE);
}

}  // namespace
}  // namespace kyodo::partner::domain
