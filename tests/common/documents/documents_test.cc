// common/documents against the real MariaDB, below any service: uploads
// beyond --document_max_uploads are refused before they take a database
// session, so slow uploads cannot starve a service's other calls; a slot
// comes back when its upload ends. The upload streams are driven by hand
// (an UploadSource per upload), the first one held open on a latch.
#include "common/documents/documents.h"

#include <latch>
#include <thread>

#include "absl/time/clock.h"
#include "common/db/pool.h"
#include "common/server/database.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "tests/testing/database.h"

namespace kyodo::common::documents {
namespace {

using kyodo::type::v1::UploadDocumentRequest;

// Everyone may do everything with the documents of "records/{id}".
class OpenPolicy final : public Policy {
 public:
  absl::Status CheckParent(absl::string_view field,
                           absl::string_view parent) const override {
    if (parent.rfind("records/", 0) == 0) return absl::OkStatus();
    return InvalidArgumentError(field, "must be a record");
  }
  absl::StatusOr<Rights> RightsOn(db::Session&, const server::CallContext&,
                                  absl::string_view, bool) const override {
    Rights rights;
    rights.read_all = true;
    return rights;
  }
};

// The messages of one upload of a small PDF; before saying the stream
// ended it calls `at_end` (which may block).
class Source {
 public:
  explicit Source(std::function<void()> at_end = nullptr)
      : at_end_(std::move(at_end)) {}
  bool operator()(UploadDocumentRequest* m) {
    switch (step_++) {
      case 0:
        m->mutable_upload()->set_parent("records/r1");
        m->mutable_upload()->set_kind(kyodo::type::v1::PLAN);
        m->mutable_upload()->set_file_name("企画書.pdf");
        return true;
      case 1:
        m->set_data("%PDF-1.4\n1 0 obj\n<< >>\nendobj\n%%EOF\n");
        return true;
      default:
        if (at_end_) at_end_();
        return false;
    }
  }

 private:
  std::function<void()> at_end_;
  int step_ = 0;
};

class DocumentsCapTest : public ::testing::Test {
 protected:
  DocumentsCapTest() : db_("documents_cap"), pages_("0123456789abcdef0123") {
    db_.Migrate({server::CommonMigrations()});
    pool_ = db_.NewPool(4);
    detector_ = *ContentDetector::Create();
    Limits limits;
    limits.max_uploads = 1;
    documents_ = std::make_unique<Documents>(pool_.get(), &pages_,
                                             detector_.get(), &store_, limits);
    call_.method = "UploadDocument";
    call_.principal.subject = "tester";
    call_.start = absl::FromUnixMicros(absl::ToUnixMicros(absl::Now()));
    call_.deadline = absl::Now() + absl::Seconds(60);
  }

  absl::Status Upload(Source source) {
    kyodo::type::v1::Document out;
    return documents_->Upload(
        policy_, call_, [&](UploadDocumentRequest* m) { return source(m); },
        &out);
  }

  kyodo::testing::TestDatabase db_;
  paging::PageTokenCodec pages_;
  std::unique_ptr<db::ConnectionPool> pool_;
  std::unique_ptr<ContentDetector> detector_;
  MariaDbContentStore store_;
  std::unique_ptr<Documents> documents_;
  OpenPolicy policy_;
  server::CallContext call_;
};

TEST_F(DocumentsCapTest, UploadsBeyondTheCapWaitForNoSessionAndSlotsReturn) {
  std::latch receiving(1), release(1);
  absl::Status first;
  std::thread slow([&] {
    first = Upload(Source([&] {
      receiving.count_down();  // its content is in, its session held
      release.wait();
    }));
  });
  receiving.wait();
  EXPECT_EQ(pool_->Stats().in_use, 1);
  const absl::Status refused = Upload(Source());
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_TRUE(HasReason(refused, kyodo::type::v1::TOO_MANY_UPLOADS));
  EXPECT_EQ(pool_->Stats().in_use, 1);  // the refusal took no session
  release.count_down();
  slow.join();
  EXPECT_TRUE(first.ok()) << first;
  // The slot came back.
  const absl::Status empty = Upload(Source([] {}));
  EXPECT_TRUE(empty.ok()) << empty;
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM documents"), "2");
}

}  // namespace
}  // namespace kyodo::common::documents
