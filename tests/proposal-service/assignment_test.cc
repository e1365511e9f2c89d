// Who reviews what, over gRPC against the real MariaDB: assignments of
// proposals to committee members (min_reviews then counts among each
// proposal's assignees), the progress view (members x proposals), and the
// conflicts a programme asks for beyond the members' own affiliations:
// shared networks (協議会) and the city-unit tree (局・区役所).
#include <algorithm>
#include <cstring>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/proposal-service/proposal_fixture.h"

using kyodo::proposal::v1::Call;
using kyodo::proposal::v1::Proposal;
using kyodo::proposal::v1::ReviewCell;
using kyodo::proposal::v1::Reviewer;
using kyodo::testing::BadField;
using kyodo::testing::Context;
using kyodo::testing::Reason;
using kyodo::testing::ReviewerToken;
using kyodo::testing::ViewerToken;

namespace kyodo::proposal {
namespace {

class AssignmentTest : public ProposalServiceTest {
 protected:
  // An OPEN standard call (min_reviews 2) of `programme`, with eligible
  // proposals A, B and C by partners pa, pb and pc.
  void SetUpCall(const v1::Programme& programme = CitizenProgramme()) {
    call_ = CreateCall(CreateProgramme(programme).name());
    ASSERT_TRUE(Open(call_.name()).ok());
    clock().Set(kOpens + absl::Hours(1));
    a_ = EligibleProposal(call_.name(), "partners/pa", "提案A", 300000);
    b_ = EligibleProposal(call_.name(), "partners/pb", "提案B", 300000);
    c_ = EligibleProposal(call_.name(), "partners/pc", "提案C", 300000);
  }

  grpc::Status Appoint(const std::string& principal,
                       const std::vector<std::string>& assigned,
                       const std::vector<std::string>& affiliations,
                       Reviewer* out) {
    v1::CreateReviewerRequest request;
    request.set_parent(call_.name());
    Reviewer* r = request.mutable_reviewer();
    r->set_display_name("委員 " + principal);
    r->set_principal(principal);
    for (const auto& p : assigned) r->add_assigned_proposals(p);
    for (const auto& a : affiliations) r->add_affiliations(a);
    return stub_->CreateReviewer(Context(Staff()).get(), request, out);
  }
  Reviewer AppointOk(const std::string& principal,
                     const std::vector<std::string>& assigned,
                     const std::vector<std::string>& affiliations = {}) {
    Reviewer out;
    const grpc::Status status =
        Appoint(principal, assigned, affiliations, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  grpc::Status Assign(const Reviewer& member,
                      const std::vector<std::string>& assigned, Reviewer* out) {
    v1::UpdateReviewerRequest request;
    request.mutable_reviewer()->set_name(member.name());
    for (const auto& p : assigned)
      request.mutable_reviewer()->add_assigned_proposals(p);
    request.mutable_update_mask()->add_paths("assigned_proposals");
    return stub_->UpdateReviewer(Context(Staff()).get(), request, out);
  }

  grpc::Status Progress(const std::string& token,
                        v1::ListReviewProgressResponse* out,
                        int32_t page_size = 0, const std::string& page = "") {
    v1::ListReviewProgressRequest request;
    request.set_parent(call_.name());
    request.set_page_size(page_size);
    request.set_page_token(page);
    return stub_->ListReviewProgress(Context(token).get(), request, out);
  }

  // The cells of the progress view as {proposal title: {principal: state}}.
  std::map<std::string, std::map<std::string, ReviewCell::State>> Grid(
      const std::string& token = Staff()) {
    v1::ListReviewProgressResponse page;
    const grpc::Status status = Progress(token, &page);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::map<std::string, std::string> principal_of;
    for (const Reviewer& m : page.members())
      principal_of[m.name()] = m.display_name().substr(strlen("委員 "));
    std::map<std::string, std::map<std::string, ReviewCell::State>> grid;
    for (const auto& p : page.proposals()) {
      for (const auto& cell : p.cells())
        grid[p.title()][principal_of[cell.reviewer()]] = cell.state();
    }
    return grid;
  }

  int Reviews() { return CountRows("SELECT COUNT(*) FROM reviews"); }

  Call call_;
  Proposal a_, b_, c_;
};

// Three members, each assigned two of three proposals: every proposal has
// two assignees, min_reviews is 2. A member may not review what it is not
// assigned; the decision waits for each proposal's assignees; taking a
// proposal from a member takes its review out of the count.
TEST_F(AssignmentTest, MinReviewsCountsAmongEachProposalsAssignees) {
  ASSERT_NO_FATAL_FAILURE(SetUpCall());
  AppointOk("iin-1", {a_.name(), b_.name()});
  const Reviewer two = AppointOk("iin-2", {b_.name(), c_.name()});
  AppointOk("iin-3", {a_.name(), c_.name()});
  ASSERT_NO_FATAL_FAILURE(CloseAndStartReview(call_.name()));

  grpc::Status refused = SubmitReview(c_.name(), "iin-1", {5, 5, 10});
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(refused), "NOT_ASSIGNED");
  EXPECT_EQ(Reviews(), 0);

  ASSERT_TRUE(SubmitReview(a_.name(), "iin-1", {5, 5, 10}).ok());
  ASSERT_TRUE(SubmitReview(b_.name(), "iin-1", {4, 4, 8}).ok());
  ASSERT_TRUE(SubmitReview(b_.name(), "iin-2", {4, 4, 8}).ok());
  ASSERT_TRUE(SubmitReview(a_.name(), "iin-3", {5, 5, 10}).ok());
  ASSERT_TRUE(SubmitReview(c_.name(), "iin-3", {3, 3, 6}).ok());

  // C has one of its two reviews: the decision names it.
  v1::Decision decision;
  grpc::Status missing = Decide(call_.name(), &decision);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(missing), "REVIEWS_MISSING");
  EXPECT_EQ(Metadata(missing, "proposals"), c_.name());

  auto grid = Grid();
  EXPECT_EQ(grid["提案C"]["iin-1"], ReviewCell::NOT_ASSIGNED);
  EXPECT_EQ(grid["提案C"]["iin-2"], ReviewCell::MISSING);
  EXPECT_EQ(grid["提案C"]["iin-3"], ReviewCell::SCORED);
  EXPECT_EQ(grid["提案A"]["iin-2"], ReviewCell::NOT_ASSIGNED);
  EXPECT_EQ(grid["提案B"]["iin-1"], ReviewCell::SCORED);

  ASSERT_TRUE(SubmitReview(c_.name(), "iin-2", {3, 3, 6}).ok());
  // Taking B from iin-2 takes its review of B out of the count.
  Reviewer changed;
  ASSERT_TRUE(Assign(two, {c_.name()}, &changed).ok());
  missing = Decide(call_.name(), &decision);
  EXPECT_EQ(Reason(missing), "REVIEWS_MISSING");
  EXPECT_EQ(Metadata(missing, "proposals"), b_.name());
  EXPECT_EQ(Grid()["提案B"]["iin-2"], ReviewCell::NOT_ASSIGNED);

  ASSERT_TRUE(Assign(changed, {b_.name(), c_.name()}, &changed).ok());
  const grpc::Status decided = Decide(call_.name(), &decision);
  ASSERT_TRUE(decided.ok()) << decided.error_message();
  for (const auto& result : decision.results()) {
    EXPECT_EQ(result.reviews(), 2) << result.proposal();
  }
}

// Assignments that leave a proposal fewer than min_reviews possible
// reviewers hold the review's start, naming the proposal.
TEST_F(AssignmentTest, StartReviewNeedsMinReviewsAssigneesForEveryProposal) {
  ASSERT_NO_FATAL_FAILURE(SetUpCall());
  AppointOk("iin-1", {a_.name(), b_.name()});
  AppointOk("iin-2", {a_.name(), b_.name()});
  AppointOk("iin-3", {c_.name()});
  clock().Set(kCloses + absl::Hours(1));
  ASSERT_TRUE(Close(call_.name()).ok());
  const grpc::Status status = StartReview(call_.name());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "TOO_FEW_ASSIGNEES");
  EXPECT_EQ(Metadata(status, "proposals"), c_.name());
  v1::GetCallRequest get;
  get.set_name(call_.name());
  Call after;
  ASSERT_TRUE(stub_->GetCall(Context(Staff()).get(), get, &after).ok());
  EXPECT_EQ(after.state(), Call::CLOSED);
}

// An assignment names distinct submitted proposals of the member's call;
// anything else is INVALID_ARGUMENT naming the entry, and nothing changes.
TEST_F(AssignmentTest, AssignmentsAreChecked) {
  ASSERT_NO_FATAL_FAILURE(SetUpCall());
  Proposal draft;
  ASSERT_TRUE(
      CreateDraft(call_.name(), "partners/pd", "下書き", 100000, &draft).ok());
  const Call other = CreateCall(CreateProgramme().name());
  const struct {
    std::vector<std::string> assigned;
    std::string field;
  } cases[] = {
      {{a_.name(), a_.name()}, "reviewer.assigned_proposals[1]"},
      {{a_.name(), draft.name()}, "reviewer.assigned_proposals[1]"},
      {{absl::StrCat(other.name(), "/proposals/x")},
       "reviewer.assigned_proposals[0]"},
      {{absl::StrCat(call_.name(), "/proposals/nope")},
       "reviewer.assigned_proposals[0]"},
  };
  for (const auto& c : cases) {
    Reviewer out;
    const grpc::Status status = Appoint("iin-x", c.assigned, {}, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(BadField(status), c.field);
  }
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM reviewers"), 0);
  const Reviewer member = AppointOk("iin-1", {a_.name()});
  Reviewer out;
  const grpc::Status status = Assign(member, {b_.name(), b_.name()}, &out);
  EXPECT_EQ(BadField(status), "reviewer.assigned_proposals[1]");
  v1::GetReviewerRequest get;
  get.set_name(member.name());
  ASSERT_TRUE(stub_->GetReviewer(Context(Staff()).get(), get, &out).ok());
  ASSERT_EQ(out.assigned_proposals_size(), 1);
  EXPECT_EQ(out.assigned_proposals(0), a_.name());
  EXPECT_EQ(out.etag(), member.etag());
}

// The progress view is the staff's and the committee's; it pages over the
// proposals in name order and shows every member on every page.
TEST_F(AssignmentTest, ProgressIsForStaffAndCommitteeAndPages) {
  ASSERT_NO_FATAL_FAILURE(SetUpCall());
  AppointOk("iin-1", {});
  AppointOk("iin-2", {});
  ASSERT_NO_FATAL_FAILURE(CloseAndStartReview(call_.name()));
  ASSERT_TRUE(SubmitReview(a_.name(), "iin-2", {5, 5, 10}).ok());
  v1::ListReviewProgressResponse page;
  for (const std::string& token :
       {Applicant("partners/pa"), ViewerToken(),
        ReviewerToken("someone-else", "someone-else")}) {
    EXPECT_EQ(Progress(token, &page).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  std::vector<std::string> seen;
  std::string token;
  int scored = 0;
  do {
    const grpc::Status status =
        Progress(ReviewerToken("iin-1", "iin-1"), &page, 2, token);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(page.members_size(), 2);
    for (const auto& p : page.proposals()) {
      seen.push_back(p.proposal());
      EXPECT_EQ(p.min_reviews(), 2);
      EXPECT_EQ(p.cells_size(), 2);
      scored += p.counted_reviews();
    }
    token = page.next_page_token();
  } while (!token.empty());
  std::vector<std::string> expected = {a_.name(), b_.name(), c_.name()};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(scored, 1);
}

// 協議会: with network_conflicts, a member whose affiliation shares a
// network with a proposal's applicant is conflicted with it: it cannot
// review it, and the decision counts it among the conflicted members.
// Without the flag the same member reviews it. Networks joined after the
// appointment are gathered again when the review starts.
TEST_F(AssignmentTest, NetworkMembershipConflictExcludesAMember) {
  v1::Programme programme = CitizenProgramme();
  programme.set_network_conflicts(true);
  ASSERT_NO_FATAL_FAILURE(SetUpCall(programme));
  partner::v1::Network network;
  network.set_name("networks/tama-3dai");
  network.add_members("partners/meiji");
  network.add_members("partners/pa");
  records_.AddNetwork(network);

  const Reviewer member = AppointOk("iin-1", {}, {"partners/meiji"});
  ASSERT_EQ(member.related_parties_size(), 1);
  EXPECT_EQ(member.related_parties(0).partner(), "partners/pa");
  EXPECT_EQ(member.related_parties(0).via(), "networks/tama-3dai");
  ASSERT_EQ(member.conflicts_size(), 1);
  EXPECT_EQ(member.conflicts(0).proposal(), a_.name());
  EXPECT_EQ(member.conflicts(0).source(), Reviewer::Conflict::NETWORK);
  EXPECT_TRUE(
      absl::StrContains(member.conflicts(0).note(), "networks/tama-3dai"));
  AppointOk("iin-2", {});
  // A second member's network, made known only after its appointment.
  const Reviewer late = AppointOk("iin-3", {}, {"partners/senshu"});
  EXPECT_EQ(late.conflicts_size(), 0);
  partner::v1::Network later;
  later.set_name("networks/ikuta");
  later.add_members("partners/senshu");
  later.add_members("partners/pb");
  records_.AddNetwork(later);
  ASSERT_NO_FATAL_FAILURE(CloseAndStartReview(call_.name()));

  // The refreshed relations of iin-3 are on record, audited to StartReview.
  kyodo::type::v1::ListAuditEventsRequest audit;
  audit.set_resource(late.name());
  kyodo::type::v1::ListAuditEventsResponse events;
  ASSERT_TRUE(
      stub_->ListAuditEvents(Context(Staff()).get(), audit, &events).ok());
  bool audited = false;
  for (const auto& event : events.audit_events()) {
    for (const auto& change : event.changes()) {
      audited = audited || (event.method() == "StartReview" &&
                            change.field() == "related_parties" &&
                            absl::StrContains(change.after(), "partners/pb"));
    }
  }
  EXPECT_TRUE(audited) << events.DebugString();

  const grpc::Status refused = SubmitReview(a_.name(), "iin-1", {5, 5, 10});
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(refused), "REVIEWER_CONFLICTED");
  EXPECT_EQ(Reason(SubmitReview(b_.name(), "iin-3", {5, 5, 10})),
            "REVIEWER_CONFLICTED");
  auto grid = Grid();
  EXPECT_EQ(grid["提案A"]["iin-1"], ReviewCell::CONFLICTED);
  EXPECT_EQ(grid["提案B"]["iin-3"], ReviewCell::CONFLICTED);
  EXPECT_EQ(grid["提案A"]["iin-3"], ReviewCell::MISSING);

  for (const Proposal* p : {&a_, &b_, &c_}) {
    for (const char* who : {"iin-1", "iin-2", "iin-3"}) {
      (void)SubmitReview(p->name(), who, {4, 4, 8});
    }
  }
  v1::Decision decision;
  const grpc::Status decided = Decide(call_.name(), &decision);
  ASSERT_TRUE(decided.ok()) << decided.error_message();
  std::map<std::string, int> conflicted;
  for (const auto& r : decision.results())
    conflicted[r.proposal()] = r.conflicted_members();
  EXPECT_EQ(conflicted[a_.name()], 1);
  EXPECT_EQ(conflicted[b_.name()], 1);
  EXPECT_EQ(conflicted[c_.name()], 0);

  // The same committee under a programme that does not ask: no conflict.
  ASSERT_NO_FATAL_FAILURE(SetUpCall());
  const Reviewer free = AppointOk("iin-1", {}, {"partners/meiji"});
  EXPECT_EQ(free.related_parties_size(), 0);
  EXPECT_EQ(free.conflicts_size(), 0);
}

// 局・区役所: with city_unit_conflicts, a member from one unit of 麻生区役所
// is conflicted with a proposal co-signed by another unit of it, not with
// one co-signed by a unit of another 局; without the flag, with neither.
TEST_F(AssignmentTest, CityUnitTreeConflicts) {
  auto unit = [&](const std::string& name, const std::string& parent) {
    partner::v1::Partner p;
    p.set_kind(partner::v1::CITY_UNIT);
    p.set_state(partner::v1::Partner::ACTIVE);
    p.set_ward(kWard);
    p.set_parent(parent);
    records_.SetPartner(name, p);
  };
  unit("partners/city", "");
  unit("partners/asao-ward", "partners/city");
  unit("partners/asao-chiiki", "partners/asao-ward");
  unit("partners/asao-kosodate", "partners/asao-ward");
  unit("partners/kankyo", "partners/city");
  unit("partners/kankyo-genryo", "partners/kankyo");
  v1::Programme programme = CitizenProgramme();
  programme.add_eligible_partner_kinds(partner::v1::CITY_UNIT);
  // Only where the programme says so: first a programme that does not.
  for (const bool city_unit_conflicts : {false, true}) {
    SCOPED_TRACE(city_unit_conflicts);
    programme.set_city_unit_conflicts(city_unit_conflicts);
    call_ = CreateCall(CreateProgramme(programme).name());
    ASSERT_TRUE(Open(call_.name()).ok());
    clock().Set(kOpens + absl::Hours(1));
    auto cosigned = [&](const std::string& applicant, const std::string& unit) {
      v1::CreateProposalRequest request;
      request.set_parent(call_.name());
      Proposal* p = request.mutable_proposal();
      p->set_applicant(applicant);
      p->add_co_applicants(unit);
      p->set_title("協働提案 " + unit);
      p->set_issue("地域の課題");
      p->set_plan("計画");
      p->set_requested_amount_yen(200000);
      Proposal out;
      EXPECT_TRUE(stub_
                      ->CreateProposal(Context(Applicant(applicant)).get(),
                                       request, &out)
                      .ok());
      EXPECT_TRUE(Submit(out.name(), Applicant(applicant)).ok());
      EXPECT_TRUE(Screen(out.name(), GoodFacts(), &out).ok());
      EXPECT_EQ(out.state(), Proposal::ELIGIBLE)
          << out.screening().DebugString();
      return out;
    };
    const Proposal same = cosigned("partners/pa", "partners/asao-kosodate");
    const Proposal other = cosigned("partners/pb", "partners/kankyo-genryo");

    const Reviewer member = AppointOk("iin-1", {}, {"partners/asao-chiiki"});
    if (!city_unit_conflicts) {
      EXPECT_EQ(member.conflicts_size(), 0);
      continue;
    }
    ASSERT_EQ(member.conflicts_size(), 1);
    EXPECT_EQ(member.conflicts(0).proposal(), same.name());
    EXPECT_EQ(member.conflicts(0).source(), Reviewer::Conflict::CITY_UNIT);
    EXPECT_TRUE(
        absl::StrContains(member.conflicts(0).note(), "partners/asao-ward"));
    std::vector<std::string> related;
    for (const auto& r : member.related_parties())
      related.push_back(r.partner());
    std::sort(related.begin(), related.end());
    EXPECT_EQ(related, (std::vector<std::string>{"partners/asao-kosodate",
                                                 "partners/asao-ward"}));
    AppointOk("iin-2", {});
    ASSERT_NO_FATAL_FAILURE(CloseAndStartReview(call_.name()));
    EXPECT_EQ(Reason(SubmitReview(same.name(), "iin-1", {5, 5, 10})),
              "REVIEWER_CONFLICTED");
    EXPECT_TRUE(SubmitReview(other.name(), "iin-1", {5, 5, 10}).ok());
  }
}

// When partner-service cannot answer, the appointment and the start of the
// review are refused as UNAVAILABLE and nothing is written.
TEST_F(AssignmentTest, ConflictsNeedPartnerServiceAndWriteNothingWithout) {
  v1::Programme programme = CitizenProgramme();
  programme.set_network_conflicts(true);
  ASSERT_NO_FATAL_FAILURE(SetUpCall(programme));
  records_.Fail(absl::UnavailableError("partner-service is down"));
  Reviewer out;
  const grpc::Status status = Appoint("iin-1", {}, {"partners/meiji"}, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM reviewers"), 0);

  // The review gathers the relations again: without partner-service it
  // does not start, and the call stays CLOSED.
  records_.Fail(absl::OkStatus());
  AppointOk("iin-1", {}, {"partners/meiji"});
  AppointOk("iin-2", {});
  clock().Set(kCloses + absl::Hours(1));
  ASSERT_TRUE(Close(call_.name()).ok());
  records_.Fail(absl::UnavailableError("partner-service is down"));
  EXPECT_EQ(StartReview(call_.name()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  v1::GetCallRequest get;
  get.set_name(call_.name());
  Call after;
  ASSERT_TRUE(stub_->GetCall(Context(Staff()).get(), get, &after).ok());
  EXPECT_EQ(after.state(), Call::CLOSED);
  records_.Fail(absl::OkStatus());
  EXPECT_TRUE(StartReview(call_.name()).ok());
}

}  // namespace
}  // namespace kyodo::proposal
