-- project-service: the names of enum values its stored rows hold (issue 15).
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
  ('kyodo.project.v1.ContributionForm', 0, 'CONTRIBUTION_FORM_UNSPECIFIED'),
  ('kyodo.project.v1.ContributionForm', 1, 'CONSIGNMENT'),
  ('kyodo.project.v1.ContributionForm', 2, 'BUSINESS_COOPERATION'),
  ('kyodo.project.v1.ContributionForm', 3, 'SUBSIDY'),
  ('kyodo.project.v1.ContributionForm', 4, 'GRANT'),
  ('kyodo.project.v1.ContributionForm', 5, 'CO_HOSTING'),
  ('kyodo.project.v1.ContributionForm', 6, 'KNOW_HOW'),
  ('kyodo.project.v1.ContributionForm', 7, 'FACILITIES'),
  ('kyodo.project.v1.ContributionForm', 8, 'PEOPLE'),
  ('kyodo.project.v1.ContributionForm', 9, 'INFORMATION'),
  ('kyodo.project.v1.ContributionForm', 10, 'VOLUNTEERING'),
  ('kyodo.project.v1.ContributionForm', 11, 'DONATION'),
  ('kyodo.project.v1.ExpenseLine.Item', 0, 'ITEM_UNSPECIFIED'),
  ('kyodo.project.v1.ExpenseLine.Item', 1, 'LECTURER_FEE'),
  ('kyodo.project.v1.ExpenseLine.Item', 2, 'SUPPLIES'),
  ('kyodo.project.v1.ExpenseLine.Item', 3, 'PRINTING'),
  ('kyodo.project.v1.ExpenseLine.Item', 4, 'VENUE'),
  ('kyodo.project.v1.ExpenseLine.Item', 5, 'POSTAGE'),
  ('kyodo.project.v1.ExpenseLine.Item', 6, 'TRAVEL'),
  ('kyodo.project.v1.ExpenseLine.Item', 7, 'INSURANCE'),
  ('kyodo.project.v1.ExpenseLine.Item', 8, 'EQUIPMENT_RENTAL'),
  ('kyodo.project.v1.ExpenseLine.Item', 9, 'OTHER'),
  ('kyodo.project.v1.Participant.Role', 0, 'ROLE_UNSPECIFIED'),
  ('kyodo.project.v1.Participant.Role', 1, 'LEAD'),
  ('kyodo.project.v1.Participant.Role', 2, 'CITY'),
  ('kyodo.project.v1.Participant.Role', 3, 'PARTNER'),
  ('kyodo.project.v1.Principle', 0, 'PRINCIPLE_UNSPECIFIED'),
  ('kyodo.project.v1.Principle', 1, 'SHARED_PURPOSE'),
  ('kyodo.project.v1.Principle', 2, 'EQUAL_RELATIONSHIP'),
  ('kyodo.project.v1.Principle', 3, 'MUTUAL_UNDERSTANDING'),
  ('kyodo.project.v1.Principle', 4, 'OPENNESS'),
  ('kyodo.project.v1.Principle', 5, 'ROLES_AND_RESPONSIBILITIES'),
  ('kyodo.project.v1.Principle', 6, 'REVIEW_OF_OUTCOMES'),
  ('kyodo.project.v1.Programme', 0, 'PROGRAMME_UNSPECIFIED'),
  ('kyodo.project.v1.Programme', 1, 'COOPERATIVE_PROJECT'),
  ('kyodo.project.v1.Programme', 2, 'WARD_CITIZEN_PROPOSAL'),
  ('kyodo.project.v1.Programme', 3, 'CITIZEN_STUDY_CLASS'),
  ('kyodo.project.v1.Programme', 4, 'CITIZEN_PLANNED_EVENT'),
  ('kyodo.project.v1.Programme', 5, 'NEIGHBOURHOOD_ASSOCIATION_PROPOSAL'),
  ('kyodo.project.v1.Programme', 6, 'AGREEMENT_PARTNERSHIP'),
  ('kyodo.project.v1.Programme', 7, 'OTHER_PROGRAMME'),
  ('kyodo.project.v1.Project.State', 0, 'STATE_UNSPECIFIED'),
  ('kyodo.project.v1.Project.State', 1, 'PLANNED'),
  ('kyodo.project.v1.Project.State', 2, 'ACTIVE'),
  ('kyodo.project.v1.Project.State', 3, 'COMPLETED'),
  ('kyodo.project.v1.Project.State', 4, 'REVIEWED'),
  ('kyodo.project.v1.Project.State', 5, 'CANCELLED'),
  ('kyodo.project.v1.UniversityPattern', 0, 'UNIVERSITY_PATTERN_UNSPECIFIED'),
  ('kyodo.project.v1.UniversityPattern', 1, 'JOINT_RESEARCH'),
  ('kyodo.project.v1.UniversityPattern', 2, 'PUBLIC_COURSES'),
  ('kyodo.project.v1.UniversityPattern', 3, 'INTERNSHIPS'),
  ('kyodo.project.v1.UniversityPattern', 4, 'SHARED_FACILITIES'),
  ('kyodo.type.v1.Ward', 0, 'WARD_UNSPECIFIED'),
  ('kyodo.type.v1.Ward', 1, 'KAWASAKI'),
  ('kyodo.type.v1.Ward', 2, 'SAIWAI'),
  ('kyodo.type.v1.Ward', 3, 'NAKAHARA'),
  ('kyodo.type.v1.Ward', 4, 'TAKATSU'),
  ('kyodo.type.v1.Ward', 5, 'MIYAMAE'),
  ('kyodo.type.v1.Ward', 6, 'TAMA'),
  ('kyodo.type.v1.Ward', 7, 'ASAO');
