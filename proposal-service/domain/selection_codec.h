// The stored form of a decision's input: canonical JSON for a
// SelectionInput, and its SHA-256.
//
// A decision stores the exact input the engine was given, so anyone can
// recompute the results from it (docs/API.md, "Selecting proposals":
// "recomputed from its stored inputs"). The encoding is canonical: object keys
// sorted, candidates sorted by name and each candidate's reviews by reviewer
// (the engine's result does not depend on either order), times as RFC 3339 UTC
// with microseconds, so the same input always gives the same bytes and the same
// SHA-256. Decoding gives back an input equal to the one encoded.
//
// Pure: no database, no gRPC, no protobuf.
#ifndef KYODO_PROPOSAL_SERVICE_DOMAIN_SELECTION_CODEC_H_
#define KYODO_PROPOSAL_SERVICE_DOMAIN_SELECTION_CODEC_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proposal-service/domain/selection_types.h"

namespace kyodo::proposal::domain {

// Identifies the encoding inside the document ("format" key).
inline constexpr char kSelectionInputFormat[] =
    "kyodo.proposal.selection_input.v1";

// The canonical JSON of `input`.
std::string EncodeSelectionInput(const SelectionInput& input);

// The input a document written by EncodeSelectionInput describes.
// Errors: INVALID_ARGUMENT when it is not such a document.
absl::StatusOr<SelectionInput> DecodeSelectionInput(absl::string_view text);

// One review list in the same canonical form (sorted by reviewer), as a
// closed stage's reviews are kept (proposal-service stage_results).
std::string EncodeReviewList(const std::vector<Review>& reviews);
// Errors: INVALID_ARGUMENT when `text` is not such a list.
absl::StatusOr<std::vector<Review>> DecodeReviewList(absl::string_view text);

}  // namespace kyodo::proposal::domain

#endif  // KYODO_PROPOSAL_SERVICE_DOMAIN_SELECTION_CODEC_H_
