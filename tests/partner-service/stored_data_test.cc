// Stored data that does not parse is DATA_LOSS, logged with the table and the
// row, never a default (common/store/doc.h). Each test writes a good row
// through the service, spoils one value straight in the table as the
// migrating account, and reads it through the store as the service does.
#include <string>

#include "partner-service/store/network_store.h"
#include "tests/partner-service/partner_fixture.h"
#include "tests/testing/log_capture.h"

namespace kyodo::partner {
namespace {

using kyodo::partner::v1::Partner;
using kyodo::testing::AdminToken;
using kyodo::testing::Context;
using kyodo::testing::LogCapture;

class StoredDataTest : public PartnerServiceTest {
 protected:
  StoredDataTest() : serving_(db_.NewServingPool(2)) {}

  // The id part of a resource name ("partners/abc" -> "abc").
  static std::string Id(const std::string& name) {
    return name.substr(name.rfind('/') + 1);
  }

  common::db::PooledSession Session() {
    auto session = serving_->Borrow(absl::Now() + absl::Seconds(30));
    EXPECT_TRUE(session.ok()) << session.status();
    return std::move(*session);
  }

  std::unique_ptr<common::db::ConnectionPool> serving_;
};

TEST_F(StoredDataTest, ANullWardIsNoWardButABadOneIsDataLoss) {
  Partner city = CreateOk(NewPartner(v1::CITY_UNIT, "川崎市"));
  Partner tama = NewPartner(v1::CITY_UNIT, "多摩区役所");
  tama.set_ward(kyodo::type::v1::TAMA);
  tama.set_parent(city.name());
  tama = CreateOk(tama);
  v1::CreateNetworkRequest create;
  create.mutable_network()->set_display_name("多摩区3大学協議会");
  create.mutable_network()->set_convening_unit(tama.name());
  create.mutable_network()->add_members(
      CreateOk(NewPartner(v1::UNIVERSITY, "専修大学")).name());
  v1::Network network;
  ASSERT_TRUE(
      stub_->CreateNetwork(Context(AdminToken()).get(), create, &network).ok());
  const std::string id = Id(network.name());

  // The schema allows NULL: a network of no one ward.
  db_.Exec("UPDATE networks SET ward = NULL WHERE id = '" + id + "'");
  auto read = store::GetNetwork(*Session(), id);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->network.ward(), kyodo::type::v1::WARD_UNSPECIFIED);

  // A ward of a newer release, named in the lookup table by its migration
  // (partner-service/schema/004_agreement_network_columns.sql): stored by
  // its number, which this build does not know.
  db_.Exec("INSERT INTO wards VALUES (99, 'ATLANTIS')");
  db_.Exec("UPDATE networks SET ward = 'ATLANTIS' WHERE id = '" + id + "'");
  EXPECT_EQ(db_.QueryValue("SELECT ward_number FROM networks WHERE id = '" +
                           id + "'"),
            "99");
  LogCapture log;
  read = store::GetNetwork(*Session(), id);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss) << read.status();
  EXPECT_TRUE(log.LoggedBadStoredValue("networks", id, "ward_number"));
}

}  // namespace
}  // namespace kyodo::partner
