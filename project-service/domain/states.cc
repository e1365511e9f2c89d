// The state machine of a project and the changes each transition makes.
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "project-service/domain/rules.h"

namespace kyodo::project::domain {
namespace {

using kyodo::project::v1::Project;

absl::Status NotDeleted(const Project& p) {
  if (!p.has_delete_time()) return absl::OkStatus();
  return common::FailedPreconditionError(kyodo::type::v1::PROJECT_DELETED,
                                         absl::StrCat(p.name(), " is deleted"));
}

// FAILED_PRECONDITION WRONG_STATE unless `p` is in `allowed` (one or two
// states).
absl::Status InState(const Project& p, absl::string_view action,
                     Project::State allowed,
                     Project::State also = Project::STATE_UNSPECIFIED) {
  KYODO_RETURN_IF_ERROR(NotDeleted(p));
  if (p.state() == allowed ||
      (also != Project::STATE_UNSPECIFIED && p.state() == also)) {
    return absl::OkStatus();
  }
  std::string want = Project::State_Name(allowed);
  if (also != Project::STATE_UNSPECIFIED) {
    absl::StrAppend(&want, " or ", Project::State_Name(also));
  }
  const std::string& state = Project::State_Name(p.state());
  return common::ErrorWithReason(
      absl::StatusCode::kFailedPrecondition, kyodo::type::v1::WRONG_STATE,
      absl::StrCat(action, " needs a ", want, " project; ", p.name(), " is ",
                   state),
      {{"state", state}, {"allowed", want}});
}

}  // namespace

absl::Status CheckEditable(const Project& p) {
  KYODO_RETURN_IF_ERROR(NotDeleted(p));
  if (p.state() == Project::REVIEWED || p.state() == Project::CANCELLED) {
    return common::ErrorWithReason(
        absl::StatusCode::kFailedPrecondition, kyodo::type::v1::PROJECT_CLOSED,
        absl::StrCat(p.name(), " is ", Project::State_Name(p.state()),
                     ": its record is closed"),
        {{"state", Project::State_Name(p.state())}});
  }
  return absl::OkStatus();
}

absl::Status CheckSourceProposalKept(const Project& before,
                                     const Project& after) {
  if (before.source_proposal().empty() ||
      before.source_proposal() == after.source_proposal()) {
    return absl::OkStatus();
  }
  return common::FailedPreconditionError(
      kyodo::type::v1::SOURCE_PROPOSAL_IMMUTABLE,
      absl::StrCat("source_proposal stays ", before.source_proposal(),
                   " once set"));
}

absl::Status CheckSourceProposal(const Project& project,
                                 const std::optional<SourceProposal>& source) {
  const std::string& name = project.source_proposal();
  auto refuse = [&](kyodo::type::v1::ErrorReason rule, const std::string& why) {
    return common::ErrorWithReason(
        absl::StatusCode::kFailedPrecondition, rule,
        absl::StrCat(common::ReasonName(rule), ": ", why),
        {{"source_proposal", name}});
  };
  if (!source.has_value()) {
    return refuse(kyodo::type::v1::SOURCE_PROPOSAL_NOT_FOUND,
                  absl::StrCat(name, " does not exist"));
  }
  const kyodo::proposal::v1::Proposal& p = source->proposal;
  if (p.state() != kyodo::proposal::v1::Proposal::ADOPTED) {
    return refuse(
        kyodo::type::v1::SOURCE_PROPOSAL_NOT_ADOPTED,
        absl::StrCat(name, " is ",
                     kyodo::proposal::v1::Proposal::State_Name(p.state()),
                     "; a project is made only from an ADOPTED proposal"));
  }
  bool led = false;
  for (const auto& party : project.participants()) {
    if (party.role() == v1::Participant::LEAD &&
        party.partner() == p.applicant()) {
      led = true;
    }
  }
  if (!led) {
    return refuse(kyodo::type::v1::SOURCE_PROPOSAL_MISMATCH,
                  absl::StrCat("the project's LEAD must be the proposal's "
                               "applicant, ",
                               p.applicant()));
  }
  if (project.has_start_fiscal_year() &&
      project.start_fiscal_year() != source->fiscal_year) {
    return refuse(
        kyodo::type::v1::SOURCE_PROPOSAL_MISMATCH,
        absl::StrCat("the project starts in fiscal year ",
                     project.start_fiscal_year(),
                     "; the proposal was adopted for ", source->fiscal_year));
  }
  int64_t consigned = 0;
  for (const auto& c : project.contributions()) {
    if (c.form() == v1::CONSIGNMENT) consigned += c.amount_yen();
  }
  if (consigned > p.result().adopted_amount_yen()) {
    return refuse(kyodo::type::v1::SOURCE_PROPOSAL_MISMATCH,
                  absl::StrCat("the consignment adds up to ", consigned,
                               " yen; the decision adopted ",
                               p.result().adopted_amount_yen(), " yen"));
  }
  return absl::OkStatus();
}

absl::Status Start(Project& p) {
  KYODO_RETURN_IF_ERROR(InState(p, "StartProject", Project::PLANNED));
  p.set_state(Project::ACTIVE);
  return CheckRules(p);
}

absl::Status Complete(Project& p) {
  KYODO_RETURN_IF_ERROR(InState(p, "CompleteProject", Project::ACTIVE));
  p.set_state(Project::COMPLETED);
  return absl::OkStatus();
}

absl::Status ValidateReview(
    absl::string_view text,
    const google::protobuf::RepeatedPtrField<v1::OutcomeIndicator>& outcomes) {
  if (IsBlank(text)) {
    return common::InvalidArgumentError(
        "review_text", "required: the review of outcomes (成果の振り返り)",
        kyodo::type::v1::FIELD_REQUIRED);
  }
  return ValidateOutcomes(outcomes, "outcomes");
}

absl::Status Review(Project& p, const ReviewInput& review) {
  KYODO_RETURN_IF_ERROR(InState(p, "ReviewProject", Project::COMPLETED));
  if (p.outcomes_size() + review.outcomes.size() > 100) {
    return common::InvalidArgumentError(
        "outcomes", "would make more than 100 outcome indicators");
  }
  for (const v1::OutcomeIndicator& o : review.outcomes) *p.add_outcomes() = o;
  if (p.outcomes_size() == 0) {
    return common::FailedPreconditionError(
        kyodo::type::v1::OUTCOMES_REQUIRED,
        "a review needs at least one outcome indicator: record the outcomes "
        "(e.g. 受講者数) first or send them with the review");
  }
  v1::Review* r = p.mutable_review();
  r->set_text(review.text);
  r->set_reviewed_by(review.reviewed_by);
  *r->mutable_review_time() = review.review_time;
  p.set_state(Project::REVIEWED);
  return absl::OkStatus();
}

absl::Status Cancel(Project& p, absl::string_view reason) {
  KYODO_RETURN_IF_ERROR(
      InState(p, "CancelProject", Project::PLANNED, Project::ACTIVE));
  p.set_state(Project::CANCELLED);
  if (reason.empty()) {
    p.clear_cancel_reason();
  } else {
    p.set_cancel_reason(std::string(reason));
  }
  return absl::OkStatus();
}

absl::Status Delete(Project& p, const google::protobuf::Timestamp& now) {
  if (p.has_delete_time()) {
    return common::FailedPreconditionError(
        kyodo::type::v1::ALREADY_DELETED,
        absl::StrCat(p.name(), " is already deleted"));
  }
  KYODO_RETURN_IF_ERROR(
      InState(p, "DeleteProject", Project::PLANNED, Project::CANCELLED));
  *p.mutable_delete_time() = now;
  return absl::OkStatus();
}

}  // namespace kyodo::project::domain
