// Request ids (AIP-155) and keyset paging (AIP-158) of partner-service under
// concurrency, against the real MariaDB.
#include <atomic>
#include <barrier>
#include <set>
#include <thread>
#include <vector>

#include "tests/partner-service/partner_fixture.h"

using kyodo::partner::v1::Partner;
using kyodo::partner::v1::PartnerService;

namespace kyodo::partner {
namespace {

using kyodo::testing::AdminToken;
using kyodo::testing::Context;
using kyodo::testing::Reason;

constexpr char kRequestId[] = "5b0c8a3e-7f0d-4d8e-9a61-2f4c1b7e9d10";

TEST_F(PartnerServiceTest, RequestIdReplayReturnsTheFirstResponse) {
  Partner p = NewPartner(v1::CIVIC_GROUP, "海風の森をMAZUつくる会");
  Partner first, second;
  ASSERT_TRUE(Create(p, &first, AdminToken(), kRequestId).ok());
  ASSERT_TRUE(Create(p, &second, AdminToken(), kRequestId).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(CountRows("partners"), 1);
  EXPECT_EQ(CountRows("audit_events"), 1);
}

TEST_F(PartnerServiceTest, RequestIdWithAnotherBodyIsRefused) {
  Partner first;
  ASSERT_TRUE(Create(NewPartner(v1::CIVIC_GROUP, "一つ目"), &first,
                     AdminToken(), kRequestId)
                  .ok());
  Partner second;
  grpc::Status status = Create(NewPartner(v1::CIVIC_GROUP, "二つ目"), &second,
                               AdminToken(), kRequestId);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reason(status), "REQUEST_ID_REUSED");
  EXPECT_EQ(kyodo::testing::BadField(status), "request_id");
  EXPECT_EQ(CountRows("partners"), 1);

  status = Create(NewPartner(v1::CIVIC_GROUP, "三つ目"), &second, AdminToken(),
                  "not-a-uuid");
  EXPECT_EQ(kyodo::testing::BadField(status), "request_id");
}

TEST_F(PartnerServiceTest, TenConcurrentDuplicatesCreateOneRow) {
  constexpr int kCalls = 10;
  const Partner p = NewPartner(v1::UNIVERSITY, "慶應義塾大学");
  std::vector<Partner> answers(kCalls);
  std::vector<grpc::Status> statuses(kCalls);
  std::barrier start(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      auto stub = PartnerService::NewStub(service_->NewChannel());
      v1::CreatePartnerRequest request;
      *request.mutable_partner() = p;
      request.set_request_id(kRequestId);
      auto context = Context(AdminToken());
      start.arrive_and_wait();
      statuses[i] = stub->CreatePartner(context.get(), request, &answers[i]);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << i << ": " << statuses[i].error_message();
    EXPECT_EQ(answers[i].SerializeAsString(), answers[0].SerializeAsString());
  }
  EXPECT_EQ(CountRows("partners"), 1);
  EXPECT_EQ(CountRows("request_ids"), 1);
}

TEST_F(PartnerServiceTest, PagingWhileOthersInsertYieldsEachOriginalOnce) {
  constexpr int kOriginal = 260;
  std::set<std::string> originals;
  {
    // Seed straight through the service, 4 writers at a time.
    std::vector<std::thread> writers;
    std::mutex mu;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        auto stub = PartnerService::NewStub(service_->NewChannel());
        for (int i = w; i < kOriginal; i += 4) {
          v1::CreatePartnerRequest request;
          *request.mutable_partner() =
              NewPartner(v1::CIVIC_GROUP, "団体" + std::to_string(i));
          Partner out;
          ASSERT_TRUE(
              stub->CreatePartner(Context(AdminToken()).get(), request, &out)
                  .ok());
          std::lock_guard<std::mutex> lock(mu);
          originals.insert(out.name());
        }
      });
    }
    for (auto& t : writers) t.join();
  }
  ASSERT_EQ(originals.size(), kOriginal);

  // Insert more while paging.
  std::atomic<bool> paging_done{false};
  std::atomic<int> inserted{0};
  std::thread inserter([&] {
    auto stub = PartnerService::NewStub(service_->NewChannel());
    while (!paging_done.load()) {
      v1::CreatePartnerRequest request;
      *request.mutable_partner() = NewPartner(
          v1::CIVIC_GROUP, "後から" + std::to_string(inserted.load()));
      Partner out;
      if (stub->CreatePartner(Context(AdminToken()).get(), request, &out)
              .ok()) {
        ++inserted;
      }
    }
  });

  std::map<std::string, int> seen;
  v1::ListPartnersRequest list;
  list.set_page_size(7);
  int pages = 0;
  do {
    v1::ListPartnersResponse page;
    ASSERT_TRUE(
        stub_->ListPartners(Context(AdminToken()).get(), list, &page).ok());
    for (const Partner& p : page.partners()) ++seen[p.name()];
    list.set_page_token(page.next_page_token());
    ++pages;
  } while (!list.page_token().empty() && pages < 1000);
  paging_done = true;
  inserter.join();

  EXPECT_GT(inserted.load(), 0);
  for (const std::string& name : originals) {
    EXPECT_EQ(seen[name], 1) << name;
  }
  for (const auto& [name, count] : seen) EXPECT_EQ(count, 1) << name;
}

}  // namespace
}  // namespace kyodo::partner
