// Resource documents, etags and time conversions of the stores.
#include "common/store/doc.h"

#include <string>

#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "tests/testing/log_capture.h"

namespace kyodo::common::store {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::kyodo::partner::v1::Partner;

TEST(DocTest, ColumnsStayOutOfTheDocument) {
  Partner p;
  p.set_name("partners/abc");
  p.set_state(Partner::ACTIVE);
  p.mutable_create_time()->set_seconds(1);
  p.mutable_update_time()->set_seconds(2);
  p.mutable_delete_time()->set_seconds(3);
  p.set_etag("W/\"4\"");
  p.set_display_name("\xE6\xA3\xAE");
  p.set_kind(kyodo::partner::v1::CIVIC_GROUP);
  p.add_contacts()->set_email("a@example.jp");
  const std::string doc = ToDoc(p);
  for (const char* column : {"\"name\"", "state", "create_time", "update_time",
                             "delete_time", "etag"}) {
    EXPECT_EQ(doc.find(column), std::string::npos) << column << " in " << doc;
  }
  EXPECT_NE(doc.find("\"display_name\""), std::string::npos) << doc;
  EXPECT_NE(doc.find("\"CIVIC_GROUP\""), std::string::npos) << doc;

  Partner back;
  ASSERT_TRUE(FromDoc(doc, {"partners", "abc", "doc"}, &back).ok());
  Partner expected;
  expected.set_display_name(p.display_name());
  expected.set_kind(p.kind());
  *expected.add_contacts() = p.contacts(0);
  EXPECT_TRUE(MessageDifferencer::Equals(back, expected)) << back.DebugString();
}

// A value the message does not declare would be dropped at the next write
// (ToDoc of what was read), so it is DATA_LOSS, as is a document that is not
// JSON; the log names the row.
TEST(DocTest, UnknownFieldsEnumNamesAndGarbageAreDataLoss) {
  const StoredAt at{"partners", "abc", "doc"};
  Partner p;
  EXPECT_TRUE(FromDoc(R"({"display_name":"x"})", at, &p).ok());
  EXPECT_EQ(p.display_name(), "x");
  kyodo::testing::LogCapture log;
  EXPECT_EQ(FromDoc(R"({"display_name":"x","field_from_the_future":1})", at, &p)
                .code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(FromDoc(R"({"kind":"SPACESHIP"})", at, &p).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(FromDoc("{not json", at, &p).code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(log.LineWith({"stored value does not parse", "\"partners\"",
                          "\"row\":\"abc\"", "field_from_the_future"}),
            "");
}

TEST(StoredEnumTest, NamesAValueOrIsDataLoss) {
  const StoredAt at{"partners", "abc", "state"};
  const db::Row row(
      {std::string("ACTIVE"), std::string("RETIRED"), std::nullopt});
  auto active = StoredEnum<Partner::State>(row, 0, at);
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_EQ(*active, Partner::ACTIVE);
  EXPECT_EQ(StoredEnum<Partner::State>(row, 1, at).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(StoredEnum<Partner::State>(row, 2, at).status().code(),
            absl::StatusCode::kDataLoss);
  auto none = StoredOptionalEnum<Partner::State>(row, 2, at);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(StoredOptionalEnum<Partner::State>(row, 1, at).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(EtagTest, RoundTrip) {
  EXPECT_EQ(Etag(7), "W/\"7\"");
  EXPECT_TRUE(EtagMatches("W/\"7\"", 7));
  EXPECT_TRUE(EtagMatches("", 7));  // no check asked
  EXPECT_FALSE(EtagMatches("W/\"6\"", 7));
  EXPECT_FALSE(EtagMatches("7", 7));
}

TEST(TimestampTest, Conversions) {
  for (int64_t nanos : {int64_t{0}, int64_t{1775000000123456789}, int64_t{-1},
                        int64_t{-1500000000}}) {
    const absl::Time t = absl::FromUnixNanos(nanos);
    const google::protobuf::Timestamp ts = ToTimestamp(t);
    EXPECT_GE(ts.nanos(), 0);
    EXPECT_LT(ts.nanos(), 1000000000);
    EXPECT_EQ(FromTimestamp(ts), t);
  }
  EXPECT_EQ(ToTimestamp(absl::FromUnixNanos(-1)).seconds(), -1);
  EXPECT_EQ(ToTimestamp(absl::FromUnixNanos(-1)).nanos(), 999999999);
}

TEST(ReadResourceTest, FillsTheColumns) {
  const db::Row row({std::string("17"), std::string("abc"), std::string("3"),
                     std::string("2026-04-01 00:00:00.000001"),
                     std::string("2026-04-02 00:00:00"), std::nullopt,
                     std::string(R"({"display_name":"X"})")});
  Partner p;
  auto meta = ReadResource(row, "partners", &p);
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(meta->seq, 17);
  EXPECT_EQ(meta->version, 3);
  EXPECT_EQ(p.name(), "partners/abc");
  EXPECT_EQ(p.display_name(), "X");
  EXPECT_EQ(p.etag(), "W/\"3\"");
  EXPECT_EQ(FromTimestamp(p.create_time()),
            absl::FromCivil(absl::CivilSecond(2026, 4, 1, 0, 0, 0),
                            absl::UTCTimeZone()) +
                absl::Microseconds(1));
  EXPECT_FALSE(p.has_delete_time());
  const db::Row deleted(
      {std::string("1"), std::string("d"), std::string("1"),
       std::string("2026-04-01 00:00:00"), std::string("2026-04-01 00:00:00"),
       std::string("2026-04-03 12:00:00"), std::string("{}")});
  Partner d;
  ASSERT_TRUE(ReadResource(deleted, "partners", &d).ok());
  EXPECT_TRUE(d.has_delete_time());
}

}  // namespace
}  // namespace kyodo::common::store
