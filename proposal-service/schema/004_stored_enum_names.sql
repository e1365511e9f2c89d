-- proposal-service: the names of enum values its stored rows hold (issue 15).
-- Documents (the doc columns) hold enum values by name, as protobuf's JSON
-- writes them, and so do the columns that copy a state, kind or ward.
-- Renaming a value in the protos would leave every row holding the old
-- name unreadable (DATA_LOSS at its next read). The service compares this
-- table with the enums of its protos whenever it checks its schema for
-- readiness (common/store/enum_table.h, CheckStoredEnumNames) and stays
-- NOT_SERVING while they differ, so such a build stalls its rollout
-- instead of failing reads. A value added in the protos needs its row here
-- by a migration, a rename a migration that rewrites the rows first
-- (docs/OPERATIONS.md, "Enum names in stored rows"). Read-only to the
-- serving account (common/db/migrate.h, kReadOnlyTables).

CREATE TABLE stored_enum_names (
  enum_type VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  number INT NOT NULL,
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (enum_type, number),
  UNIQUE KEY stored_enum_names_by_name (enum_type, name)
) ENGINE=InnoDB;

INSERT INTO stored_enum_names (enum_type, number, name) VALUES
  ('kyodo.partner.v1.PartnerKind', 0, 'PARTNER_KIND_UNSPECIFIED'),
  ('kyodo.partner.v1.PartnerKind', 1, 'CIVIC_GROUP'),
  ('kyodo.partner.v1.PartnerKind', 2, 'UNIVERSITY'),
  ('kyodo.partner.v1.PartnerKind', 3, 'COMPANY'),
  ('kyodo.partner.v1.PartnerKind', 4, 'NEIGHBOURHOOD_ASSOCIATION'),
  ('kyodo.partner.v1.PartnerKind', 5, 'COMMUNITY_ORGANISATION'),
  ('kyodo.partner.v1.PartnerKind', 6, 'WELFARE_COUNCIL'),
  ('kyodo.partner.v1.PartnerKind', 7, 'BUSINESS_ASSOCIATION'),
  ('kyodo.partner.v1.PartnerKind', 8, 'MUNICIPALITY'),
  ('kyodo.partner.v1.PartnerKind', 9, 'CITY_UNIT'),
  ('kyodo.proposal.v1.Call.AdoptionRule', 0, 'ADOPTION_RULE_UNSPECIFIED'),
  ('kyodo.proposal.v1.Call.AdoptionRule', 1, 'GREEDY_SKIP'),
  ('kyodo.proposal.v1.Call.AdoptionRule', 2, 'GREEDY_STOP'),
  ('kyodo.proposal.v1.Call.State', 0, 'STATE_UNSPECIFIED'),
  ('kyodo.proposal.v1.Call.State', 1, 'DRAFT'),
  ('kyodo.proposal.v1.Call.State', 2, 'OPEN'),
  ('kyodo.proposal.v1.Call.State', 3, 'CLOSED'),
  ('kyodo.proposal.v1.Call.State', 4, 'UNDER_REVIEW'),
  ('kyodo.proposal.v1.Call.State', 5, 'DECIDED'),
  ('kyodo.proposal.v1.Call.State', 6, 'PUBLISHED'),
  ('kyodo.proposal.v1.CommitteeRuling.Action', 0, 'ACTION_UNSPECIFIED'),
  ('kyodo.proposal.v1.CommitteeRuling.Action', 1, 'REDUCE'),
  ('kyodo.proposal.v1.CommitteeRuling.Action', 2, 'ADOPT'),
  ('kyodo.proposal.v1.CommitteeRuling.Action', 3, 'NOT_ADOPT'),
  ('kyodo.proposal.v1.Programme.Kind', 0, 'KIND_UNSPECIFIED'),
  ('kyodo.proposal.v1.Programme.Kind', 1, 'WARD_CITIZEN_PROPOSAL'),
  ('kyodo.proposal.v1.Programme.Kind', 2, 'NEIGHBOURHOOD_ASSOCIATION_PROPOSAL'),
  ('kyodo.proposal.v1.Programme.Kind', 3, 'OTHER'),
  ('kyodo.proposal.v1.Proposal.State', 0, 'STATE_UNSPECIFIED'),
  ('kyodo.proposal.v1.Proposal.State', 1, 'DRAFT'),
  ('kyodo.proposal.v1.Proposal.State', 2, 'SUBMITTED'),
  ('kyodo.proposal.v1.Proposal.State', 3, 'WITHDRAWN'),
  ('kyodo.proposal.v1.Proposal.State', 4, 'INELIGIBLE'),
  ('kyodo.proposal.v1.Proposal.State', 5, 'ELIGIBLE'),
  ('kyodo.proposal.v1.Proposal.State', 6, 'ADOPTED'),
  ('kyodo.proposal.v1.Proposal.State', 7, 'NOT_ADOPTED'),
  ('kyodo.proposal.v1.Proposal.State', 8, 'RETURNED'),
  ('kyodo.proposal.v1.ProposalResult.Reason', 0, 'REASON_UNSPECIFIED'),
  ('kyodo.proposal.v1.ProposalResult.Reason', 1, 'ADOPTED'),
  ('kyodo.proposal.v1.ProposalResult.Reason', 2, 'BELOW_PASS_MARK'),
  ('kyodo.proposal.v1.ProposalResult.Reason', 3, 'BUDGET_EXHAUSTED'),
  ('kyodo.proposal.v1.ProposalResult.Reason', 4, 'ADOPTION_LIMIT_REACHED'),
  ('kyodo.proposal.v1.ProposalResult.Reason', 5, 'INELIGIBLE'),
  ('kyodo.proposal.v1.ProposalResult.Reason', 6, 'WITHDRAWN'),
  ('kyodo.proposal.v1.ProposalResult.Reason', 7, 'COMMITTEE_NOT_ADOPTED'),
  ('kyodo.proposal.v1.ProposalResult.Reason', 8, 'STAGE_NOT_PASSED'),
  ('kyodo.proposal.v1.Reviewer.Conflict.Source', 0, 'SOURCE_UNSPECIFIED'),
  ('kyodo.proposal.v1.Reviewer.Conflict.Source', 1, 'DECLARED'),
  ('kyodo.proposal.v1.Reviewer.Conflict.Source', 2, 'AFFILIATION'),
  ('kyodo.proposal.v1.Reviewer.Conflict.Source', 3, 'NETWORK'),
  ('kyodo.proposal.v1.Reviewer.Conflict.Source', 4, 'CITY_UNIT'),
  ('kyodo.proposal.v1.Screening.Result', 0, 'RESULT_UNSPECIFIED'),
  ('kyodo.proposal.v1.Screening.Result', 1, 'ELIGIBLE'),
  ('kyodo.proposal.v1.Screening.Result', 2, 'INELIGIBLE'),
  ('kyodo.proposal.v1.TieBreak.Key', 0, 'KEY_UNSPECIFIED'),
  ('kyodo.proposal.v1.TieBreak.Key', 1, 'LOWER_REQUESTED_AMOUNT'),
  ('kyodo.proposal.v1.TieBreak.Key', 2, 'EARLIER_SUBMISSION'),
  ('kyodo.proposal.v1.TieBreak.Key', 3, 'NAME'),
  ('kyodo.proposal.v1.TieBreak.Key', 4, 'HIGHER_CRITERION_SCORE'),
  ('kyodo.type.v1.Ward', 0, 'WARD_UNSPECIFIED'),
  ('kyodo.type.v1.Ward', 1, 'KAWASAKI'),
  ('kyodo.type.v1.Ward', 2, 'SAIWAI'),
  ('kyodo.type.v1.Ward', 3, 'NAKAHARA'),
  ('kyodo.type.v1.Ward', 4, 'TAKATSU'),
  ('kyodo.type.v1.Ward', 5, 'MIYAMAE'),
  ('kyodo.type.v1.Ward', 6, 'TAMA'),
  ('kyodo.type.v1.Ward', 7, 'ASAO');
