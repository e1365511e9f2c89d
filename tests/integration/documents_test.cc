// Documents end to end (issue 17): a 20 MB PDF (and a 60 MB one) attached with
// kyodoctl through the gateway and fetched back, each process's memory
// measured: the peak resident memory of proposal-service, of the gateway (which
// relays both streams) and of kyodoctl grows by a bounded working set, far
// below the file's size, because no one holds the file whole. The content comes
// back byte for byte (size and SHA-256) under its Japanese name.
//
// The bound holds only in an optimised build without a sanitizer:
// tests/run.sh runs this test in the gcc build too (label `optimised`);
// under AddressSanitizer and ThreadSanitizer it checks the round trip only.
#include "tests/testing/documents.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/sha256.h"
#include "common/store/doc.h"
#include "gtest/gtest.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"
#include "tests/testing/auth.h"
#include "tests/testing/cluster.h"
#include "tests/testing/process.h"

namespace kyodo::integration {
namespace {

// AddressSanitizer's quarantine and ThreadSanitizer's shadow memory keep
// memory resident by design.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitizer = true;
#else
constexpr bool kSanitizer = false;
#endif
#elif defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizer = true;
#else
constexpr bool kSanitizer = false;
#endif

namespace pv1 = proposal::v1;
using testing::Service;

// A field of /proc/<pid>/status ("VmHWM", "VmRSS"), in KiB.
int64_t StatusKib(pid_t pid, const std::string& field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, field + ":")) {
      int64_t kib = 0;
      std::string value = line.substr(field.size() + 1);
      value = value.substr(0, value.find("kB"));
      (void)absl::SimpleAtoi(
          absl::StripAsciiWhitespace(absl::string_view(value)), &kib);
      return kib;
    }
  }
  return -1;
}

// Sets a process's peak resident memory (VmHWM) back to its current one.
void ResetPeak(pid_t pid) {
  std::ofstream out(absl::StrCat("/proc/", pid, "/clear_refs"));
  out << "5";
}

// Runs kyodoctl with `args` to its end; its stderr goes to `log`.
testing::ProgramRun Kyodoctl(const std::vector<std::string>& args,
                             const std::string& log) {
  return testing::RunToEnd(testing::ChildProcess::Binary("kyodoctl"), args,
                           log);
}

struct Peaks {
  int64_t service = 0, gateway = 0;
};

// What one upload and download of `bytes` cost each process.
struct Costs {
  int64_t file_kib = 0;
  Peaks up, down;  // growth of the services' peaks, KiB
  int64_t kyodoctl_up = 0, kyodoctl_down = 0;  // kyodoctl's peak, KiB
};

class DocumentsIntegrationTest : public ::testing::Test {
 protected:
  DocumentsIntegrationTest()
      : cluster_(std::make_unique<testing::Cluster>("documents")),
        stub_(pv1::ProposalService::NewStub(
            cluster_->Channel(Service::kGateway))) {}

  static std::string Staff() {
    return testing::WardStaffToken(type::v1::NAKAHARA, "nakahara-staff");
  }

  // A draft of partners/sakura in an open call of 中原区.
  std::string Draft() {
    pv1::CreateProgrammeRequest programme;
    pv1::Programme* p = programme.mutable_programme();
    p->set_display_name("中原区市民提案型事業");
    p->set_ward(type::v1::NAKAHARA);
    p->set_kind(pv1::Programme::WARD_CITIZEN_PROPOSAL);
    p->add_eligible_partner_kinds(partner::v1::CIVIC_GROUP);
    p->set_consigning_unit("partners/nakaharachiiki");
    pv1::Programme created;
    grpc::Status status = stub_->CreateProgramme(
        testing::Context(Staff()).get(), programme, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    pv1::CreateCallRequest call;
    call.set_parent(created.name());
    pv1::Call* c = call.mutable_call();
    c->set_display_name("令和8年度 公募");
    c->set_fiscal_year(2026);
    const absl::Time now = cluster_->Now();
    *c->mutable_submission_start_time() =
        common::store::ToTimestamp(now - absl::Minutes(1));
    *c->mutable_submission_end_time() =
        common::store::ToTimestamp(now + absl::Hours(1));
    c->set_budget_yen(1000000);
    c->add_criteria()->set_display_name("地域課題との関連性");
    c->mutable_criteria(0)->set_weight(1);
    c->mutable_criteria(0)->set_max_score(5);
    c->set_min_reviews(1);
    pv1::Call made;
    status = stub_->CreateCall(testing::Context(Staff()).get(), call, &made);
    EXPECT_TRUE(status.ok()) << status.error_message();
    pv1::OpenCallRequest open;
    open.set_name(made.name());
    status = stub_->OpenCall(testing::Context(Staff()).get(), open, &made);
    EXPECT_TRUE(status.ok()) << status.error_message();
    pv1::CreateProposalRequest draft;
    draft.set_parent(made.name());
    draft.mutable_proposal()->set_applicant("partners/sakura");
    draft.mutable_proposal()->set_title("子ども食堂の運営");
    draft.mutable_proposal()->set_issue("放課後の居場所が足りない");
    draft.mutable_proposal()->set_plan("週二回の子ども食堂");
    draft.mutable_proposal()->set_requested_amount_yen(300000);
    pv1::Proposal proposal;
    status = stub_->CreateProposal(testing::Context(Applicant()).get(), draft,
                                   &proposal);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return proposal.name();
  }

  static std::string Applicant() {
    return testing::ApplicantToken("partners/sakura", "partners/sakura");
  }

  std::vector<std::string> Common() const {
    return {"--addr=" + cluster_->Address(Service::kGateway),
            "--token=" + Applicant(), "--timeout=300s"};
  }

  std::string Log() const { return cluster_->log_dir() + "/kyodoctl.log"; }

  // Sets the services' peaks back to their current memory, which it
  // returns.
  Peaks ResetPeaks() {
    const pid_t service = cluster_->Pid(Service::kProposal);
    const pid_t gateway = cluster_->Pid(Service::kGateway);
    ResetPeak(service);
    ResetPeak(gateway);
    return Peaks{StatusKib(service, "VmRSS"), StatusKib(gateway, "VmRSS")};
  }
  // How far the services' peaks rose above `before`.
  Peaks Growth(const Peaks& before) {
    return Peaks{
        StatusKib(cluster_->Pid(Service::kProposal), "VmHWM") - before.service,
        StatusKib(cluster_->Pid(Service::kGateway), "VmHWM") - before.gateway};
  }

  // Writes a PDF of `bytes` as `file_name`, attaches it to `proposal` with
  // kyodoctl through the gateway, checks what was stored, fetches it back
  // and checks it byte for byte; `costs` gets each process's memory.
  void RoundTrip(const std::string& proposal, const std::string& file_name,
                 int64_t bytes, Costs* costs) {
    const std::string dir = cluster_->log_dir();
    const std::string source = dir + "/" + file_name;
    const testing::Content pdf = testing::PdfOfSize(bytes);
    {
      std::ofstream out(source, std::ios::binary);
      for (int64_t at = 0; at < pdf.size; at += 1 << 20) {
        const std::string piece = pdf.piece(at, 1 << 20);
        out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
      }
    }
    const std::string sha = testing::Sha256Of(pdf);
    costs->file_kib = bytes / 1024;

    Peaks before = ResetPeaks();
    std::vector<std::string> args = Common();
    args.insert(args.end(), {"--json", "documents", "attach", proposal, source,
                             "--kind=PLAN"});
    const testing::ProgramRun up = Kyodoctl(args, Log());
    ASSERT_EQ(up.exit_code, 0) << testing::FileTail(Log(), 20);
    costs->up = Growth(before);
    costs->kyodoctl_up = up.max_rss_kib;

    // What was stored, read back over gRPC.
    kyodo::type::v1::ListDocumentsRequest list;
    list.set_parent(proposal);
    kyodo::type::v1::ListDocumentsResponse listed;
    grpc::Status status = stub_->ListDocuments(
        testing::Context(Applicant()).get(), list, &listed);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_GT(listed.documents_size(), 0);
    const kyodo::type::v1::Document& doc =
        listed.documents(listed.documents_size() - 1);
    EXPECT_EQ(doc.file_name(), file_name);
    EXPECT_EQ(doc.size_bytes(), bytes);
    EXPECT_EQ(doc.sha256(), sha);
    EXPECT_EQ(doc.content_type(), "application/pdf");

    before = ResetPeaks();
    const std::string fetched = dir + "/fetched.pdf";
    args = Common();
    args.insert(args.end(),
                {"documents", "fetch", doc.name(), "--out=" + fetched});
    const testing::ProgramRun down = Kyodoctl(args, Log());
    ASSERT_EQ(down.exit_code, 0) << testing::FileTail(Log(), 20);
    costs->down = Growth(before);
    costs->kyodoctl_down = down.max_rss_kib;

    std::ifstream in(fetched, std::ios::binary);
    common::Sha256Stream hash;
    std::string piece(1 << 20, '\0');
    int64_t size = 0;
    while (in.read(piece.data(), static_cast<std::streamsize>(piece.size())) ||
           in.gcount() > 0) {
      hash.Update(
          absl::string_view(piece.data(), static_cast<size_t>(in.gcount())));
      size += in.gcount();
    }
    EXPECT_EQ(size, bytes);
    EXPECT_EQ(hash.FinishHex(), sha);
    std::remove(fetched.c_str());
    std::remove(source.c_str());
  }

  std::unique_ptr<testing::Cluster> cluster_;
  std::unique_ptr<pv1::ProposalService::Stub> stub_;
};

TEST_F(DocumentsIntegrationTest, TwentyMegabytesUpAndDownWithFlatMemory) {
  // Room for the larger file below.
  cluster_->SetExtraFlags(Service::kProposal,
                          {"--document_max_bytes=100000000",
                           "--document_max_total_bytes=200000000"});
  cluster_->Restart(Service::kProposal);
  const std::string proposal = Draft();
  ASSERT_FALSE(proposal.empty());

  // kyodoctl's own footprint, for its bound: a call that moves no file.
  std::vector<std::string> args = Common();
  args.insert(args.end(), {"documents", "list", proposal});
  const testing::ProgramRun idle = Kyodoctl(args, Log());
  ASSERT_EQ(idle.exit_code, 0) << testing::FileTail(Log(), 20);

  // The issue's 20 MB PDF; and, in the optimised build, three times as
  // much, which the same bound must hold for.
  std::vector<Costs> costs;
  ASSERT_NO_FATAL_FAILURE(RoundTrip(proposal, "企画書（子ども食堂）.pdf",
                                    20'000'000, &costs.emplace_back()));
  if (!kSanitizer) {
    ASSERT_NO_FATAL_FAILURE(RoundTrip(proposal, "収支予算書（3年分）.pdf",
                                      60'000'000, &costs.emplace_back()));
  }
  for (const Costs& c : costs) {
    std::cout << "documents: " << c.file_kib << " KiB file; upload: service +"
              << c.up.service << " KiB, gateway +" << c.up.gateway
              << " KiB, kyodoctl peak " << c.kyodoctl_up
              << " KiB; download: service +" << c.down.service
              << " KiB, gateway +" << c.down.gateway << " KiB, kyodoctl peak "
              << c.kyodoctl_down << " KiB; kyodoctl without a file "
              << idle.max_rss_kib << " KiB\n";
    // A bounded working set (gRPC's flow-control windows, which follow
    // the link's measured bandwidth-delay product, and the allocator's
    // caches: 13 to 18 MiB measured for either file), not a share of the
    // file: a process that held the 60 MB file whole would need 57 MiB.
    if (!kSanitizer) {
      constexpr int64_t kBoundKib = 28 << 10;
      for (const Peaks& g : {c.up, c.down}) {
        EXPECT_LT(g.service, kBoundKib) << "KiB, file " << c.file_kib;
        EXPECT_LT(g.gateway, kBoundKib) << "KiB, file " << c.file_kib;
      }
      EXPECT_LT(c.kyodoctl_up - idle.max_rss_kib, kBoundKib) << "KiB";
      EXPECT_LT(c.kyodoctl_down - idle.max_rss_kib, kBoundKib) << "KiB";
    }
  }
  // Flat: three times the file costs no more than the 20 MB one did, give
  // or take half of the 38 MiB more that holding the larger file whole
  // would add (measured: within 200 KiB of each other).
  if (costs.size() == 2) {
    constexpr int64_t kSlackKib = 19 << 10;
    const Costs& small = costs[0];
    const Costs& large = costs[1];
    EXPECT_LT(large.up.service - small.up.service, kSlackKib) << "KiB";
    EXPECT_LT(large.up.gateway - small.up.gateway, kSlackKib) << "KiB";
    EXPECT_LT(large.down.service - small.down.service, kSlackKib) << "KiB";
    EXPECT_LT(large.down.gateway - small.down.gateway, kSlackKib) << "KiB";
    EXPECT_LT(large.kyodoctl_up - small.kyodoctl_up, kSlackKib) << "KiB";
    EXPECT_LT(large.kyodoctl_down - small.kyodoctl_down, kSlackKib) << "KiB";
  }
  RecordProperty("upload_service_growth_kib",
                 static_cast<int>(costs[0].up.service));
  RecordProperty("download_service_growth_kib",
                 static_cast<int>(costs[0].down.service));
}

}  // namespace
}  // namespace kyodo::integration
