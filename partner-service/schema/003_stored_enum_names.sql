-- partner-service: the names of enum values its stored rows hold (issue 15).
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
  ('kyodo.partner.v1.Agreement.Kind', 0, 'KIND_UNSPECIFIED'),
  ('kyodo.partner.v1.Agreement.Kind', 1, 'COMPREHENSIVE'),
  ('kyodo.partner.v1.Agreement.Kind', 2, 'THEME'),
  ('kyodo.partner.v1.Agreement.State', 0, 'STATE_UNSPECIFIED'),
  ('kyodo.partner.v1.Agreement.State', 1, 'IN_FORCE'),
  ('kyodo.partner.v1.Agreement.State', 2, 'ENDED'),
  ('kyodo.partner.v1.Partner.State', 0, 'STATE_UNSPECIFIED'),
  ('kyodo.partner.v1.Partner.State', 1, 'ACTIVE'),
  ('kyodo.partner.v1.Partner.State', 2, 'INACTIVE'),
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
  ('kyodo.type.v1.Ward', 0, 'WARD_UNSPECIFIED'),
  ('kyodo.type.v1.Ward', 1, 'KAWASAKI'),
  ('kyodo.type.v1.Ward', 2, 'SAIWAI'),
  ('kyodo.type.v1.Ward', 3, 'NAKAHARA'),
  ('kyodo.type.v1.Ward', 4, 'TAKATSU'),
  ('kyodo.type.v1.Ward', 5, 'MIYAMAE'),
  ('kyodo.type.v1.Ward', 6, 'TAMA'),
  ('kyodo.type.v1.Ward', 7, 'ASAO');
