-- proposal-service: every field of a programme (制度 and its rules, 要綱) in a
-- typed column or child table (issue 15): its ward and kind by number, the
-- consigning unit, the rules a proposal is screened by (same ward, one
-- proposal per applicant, continuation years, lifetime and yearly adoption
-- limits, conflicts of networks and city units), the eligible partner kinds
-- and the amount caps per continuation year, so that SQL can query and
-- constrain them and reads build a programme from columns instead of
-- parsing `doc`.
--
-- Expand step, as partner-service/schema/004_agreement_network_columns.sql
-- (docs/OPERATIONS.md, "Typed programme columns"): the previous release and
-- this one both still write `doc`, and the triggers below derive the typed
-- columns and rows from it on every write, whichever release makes it. A
-- later release drops `doc`, these triggers and procedures (the contract
-- step).
--
-- Presence is kept: a rule column is NULL when the field is unset, as the
-- document kept it (an explicit 0 or false stays 0). "Given" is
-- CHAR_LENGTH(x) > 0, not x <> '': the binary collation pads with spaces,
-- so a name of spaces, which the service accepts, would equal ''.

CREATE TABLE wards (
  number TINYINT UNSIGNED NOT NULL,
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (number),
  UNIQUE KEY wards_by_name (name)
) ENGINE=InnoDB;

INSERT INTO wards (number, name) VALUES
  (0, 'WARD_UNSPECIFIED'), (1, 'KAWASAKI'), (2, 'SAIWAI'), (3, 'NAKAHARA'),
  (4, 'TAKATSU'), (5, 'MIYAMAE'), (6, 'TAMA'), (7, 'ASAO');

CREATE TABLE programme_kinds (
  number TINYINT UNSIGNED NOT NULL,
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (number),
  UNIQUE KEY programme_kinds_by_name (name)
) ENGINE=InnoDB;

INSERT INTO programme_kinds (number, name) VALUES
  (0, 'KIND_UNSPECIFIED'), (1, 'WARD_CITIZEN_PROPOSAL'),
  (2, 'NEIGHBOURHOOD_ASSOCIATION_PROPOSAL'), (3, 'OTHER');

-- The kinds of partner-service's PartnerKind, which a programme lists as
-- eligible (the partners themselves live in partner-service's database).
CREATE TABLE partner_kinds (
  number TINYINT UNSIGNED NOT NULL,
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (number),
  UNIQUE KEY partner_kinds_by_name (name)
) ENGINE=InnoDB;

INSERT INTO partner_kinds (number, name) VALUES
  (0, 'PARTNER_KIND_UNSPECIFIED'), (1, 'CIVIC_GROUP'), (2, 'UNIVERSITY'),
  (3, 'COMPANY'), (4, 'NEIGHBOURHOOD_ASSOCIATION'),
  (5, 'COMMUNITY_ORGANISATION'), (6, 'WELFARE_COUNCIL'),
  (7, 'BUSINESS_ASSOCIATION'), (8, 'MUNICIPALITY'), (9, 'CITY_UNIT');

-- The ranges are the service's own (proposal-service/domain/rules.cc,
-- ValidateProgramme). Nullable until the backfill below has typed every
-- row.
ALTER TABLE programmes
  ADD COLUMN ward_number TINYINT UNSIGNED NULL,
  ADD COLUMN kind_number TINYINT UNSIGNED NULL,
  ADD COLUMN consigning_unit_id VARCHAR(63) CHARACTER SET ascii
    COLLATE ascii_bin NULL,
  ADD COLUMN same_ward_required TINYINT UNSIGNED NULL,
  ADD COLUMN max_continuation_years SMALLINT NULL,
  ADD COLUMN one_proposal_per_applicant TINYINT UNSIGNED NULL,
  ADD COLUMN lifetime_adoption_limit SMALLINT NULL,
  ADD COLUMN yearly_adoption_limit SMALLINT NULL,
  ADD COLUMN network_conflicts TINYINT UNSIGNED NULL,
  ADD COLUMN city_unit_conflicts TINYINT UNSIGNED NULL,
  ADD COLUMN description TEXT NULL,
  ADD CONSTRAINT programmes_ward_number FOREIGN KEY (ward_number)
    REFERENCES wards (number),
  ADD CONSTRAINT programmes_kind_number FOREIGN KEY (kind_number)
    REFERENCES programme_kinds (number),
  ADD CONSTRAINT programmes_a_ward CHECK (ward_number <> 0),
  ADD CONSTRAINT programmes_kind_given CHECK (kind_number <> 0),
  ADD CONSTRAINT programmes_display_name_given
    CHECK (CHAR_LENGTH(display_name) > 0),
  ADD CONSTRAINT programmes_flags CHECK (
    same_ward_required IN (0, 1) AND one_proposal_per_applicant IN (0, 1) AND
    network_conflicts IN (0, 1) AND city_unit_conflicts IN (0, 1)),
  ADD CONSTRAINT programmes_max_continuation_years
    CHECK (max_continuation_years BETWEEN 0 AND 100),
  ADD CONSTRAINT programmes_lifetime_adoption_limit
    CHECK (lifetime_adoption_limit BETWEEN 0 AND 1000),
  ADD CONSTRAINT programmes_yearly_adoption_limit
    CHECK (yearly_adoption_limit BETWEEN 0 AND 1000),
  ADD CONSTRAINT programmes_deleted_after_created
    CHECK (delete_time IS NULL OR delete_time >= create_time),
  ADD CONSTRAINT programmes_version_positive CHECK (version > 0);

-- The partner kinds a programme accepts (対象団体), in order, each once.
CREATE TABLE programme_partner_kinds (
  programme_seq BIGINT NOT NULL,
  position TINYINT UNSIGNED NOT NULL,
  kind_number TINYINT UNSIGNED NOT NULL,
  PRIMARY KEY (programme_seq, position),
  UNIQUE KEY programme_partner_kinds_once (programme_seq, kind_number),
  CONSTRAINT programme_partner_kinds_programme FOREIGN KEY (programme_seq)
    REFERENCES programmes (seq),
  CONSTRAINT programme_partner_kinds_kind FOREIGN KEY (kind_number)
    REFERENCES partner_kinds (number),
  CONSTRAINT programme_partner_kinds_given CHECK (kind_number <> 0),
  CONSTRAINT programme_partner_kinds_at_most_9 CHECK (position < 9)
) ENGINE=InnoDB;

-- The most a proposal may request in each year of a continued project
-- (委託料の上限), in order, one per year. 10^15 yen is the service's bound
-- on every amount (proposal-service/domain/validation.h, kMaxAmount).
CREATE TABLE programme_amount_caps (
  programme_seq BIGINT NOT NULL,
  position TINYINT UNSIGNED NOT NULL,
  continuation_year SMALLINT NOT NULL,
  max_amount_yen BIGINT NOT NULL,
  PRIMARY KEY (programme_seq, position),
  UNIQUE KEY programme_amount_caps_once (programme_seq, continuation_year),
  CONSTRAINT programme_amount_caps_programme FOREIGN KEY (programme_seq)
    REFERENCES programmes (seq),
  CONSTRAINT programme_amount_caps_year
    CHECK (continuation_year BETWEEN 1 AND 100),
  CONSTRAINT programme_amount_caps_amount
    CHECK (max_amount_yen BETWEEN 0 AND 1000000000000000),
  CONSTRAINT programme_amount_caps_at_most_10 CHECK (position < 10)
) ENGINE=InnoDB;

DELIMITER //

-- A boolean member of a document as 1 or 0: NULL when the member is absent,
-- 2 (which the columns' CHECK refuses) when it is not a JSON boolean.
CREATE PROCEDURE doc_bool(IN in_doc LONGTEXT CHARACTER SET utf8mb4,
  IN in_path VARCHAR(64) CHARACTER SET ascii, OUT out_bool TINYINT UNSIGNED)
  SET out_bool = IF(JSON_EXISTS(in_doc, in_path) = 0, NULL,
    CASE JSON_EXTRACT(in_doc, in_path) WHEN 'true' THEN 1 WHEN 'false' THEN 0
    ELSE 2 END)//

-- The typed columns of a programme row from its document: the one body both
-- BEFORE triggers call. A ward or kind the lookup tables do not name
-- becomes 255, which fails their foreign keys; a consigning unit that is
-- not `partners/{id}` becomes NULL, which the NOT NULL column refuses.
CREATE PROCEDURE programme_typed_columns(
  IN in_doc LONGTEXT CHARACTER SET utf8mb4,
  OUT ward VARCHAR(16) CHARACTER SET ascii,
  OUT ward_number TINYINT UNSIGNED,
  OUT kind VARCHAR(48) CHARACTER SET ascii,
  OUT kind_number TINYINT UNSIGNED,
  OUT display_name VARCHAR(300) CHARACTER SET utf8mb4,
  OUT consigning_unit_id VARCHAR(63) CHARACTER SET ascii,
  OUT same_ward_required TINYINT UNSIGNED,
  OUT max_continuation_years SMALLINT,
  OUT one_proposal_per_applicant TINYINT UNSIGNED,
  OUT lifetime_adoption_limit SMALLINT,
  OUT yearly_adoption_limit SMALLINT,
  OUT network_conflicts TINYINT UNSIGNED,
  OUT city_unit_conflicts TINYINT UNSIGNED,
  OUT description TEXT CHARACTER SET utf8mb4)
BEGIN
  SET ward = JSON_VALUE(in_doc, '$.ward'),
      ward_number = COALESCE((SELECT w.number FROM wards w
        WHERE w.name = JSON_VALUE(in_doc, '$.ward')), 255),
      kind = JSON_VALUE(in_doc, '$.kind'),
      kind_number = COALESCE((SELECT k.number FROM programme_kinds k
        WHERE k.name = JSON_VALUE(in_doc, '$.kind')), 255),
      display_name = JSON_VALUE(in_doc, '$.display_name'),
      consigning_unit_id = IF(
        JSON_VALUE(in_doc, '$.consigning_unit') LIKE 'partners/_%' AND
        LOCATE('/', JSON_VALUE(in_doc, '$.consigning_unit'), 10) = 0,
        SUBSTRING(JSON_VALUE(in_doc, '$.consigning_unit'), 10), NULL),
      max_continuation_years =
        JSON_VALUE(in_doc, '$.max_continuation_years'),
      lifetime_adoption_limit =
        JSON_VALUE(in_doc, '$.lifetime_adoption_limit'),
      yearly_adoption_limit = JSON_VALUE(in_doc, '$.yearly_adoption_limit'),
      description = JSON_VALUE(in_doc, '$.description');
  CALL doc_bool(in_doc, '$.same_ward_required', same_ward_required);
  CALL doc_bool(in_doc, '$.one_proposal_per_applicant',
                one_proposal_per_applicant);
  CALL doc_bool(in_doc, '$.network_conflicts', network_conflicts);
  CALL doc_bool(in_doc, '$.city_unit_conflicts', city_unit_conflicts);
END//

CREATE TRIGGER programmes_typed_on_insert BEFORE INSERT ON programmes
FOR EACH ROW
  CALL programme_typed_columns(NEW.doc, NEW.ward, NEW.ward_number, NEW.kind,
    NEW.kind_number, NEW.display_name, NEW.consigning_unit_id,
    NEW.same_ward_required, NEW.max_continuation_years,
    NEW.one_proposal_per_applicant, NEW.lifetime_adoption_limit,
    NEW.yearly_adoption_limit, NEW.network_conflicts,
    NEW.city_unit_conflicts, NEW.description)//

CREATE TRIGGER programmes_typed_on_update BEFORE UPDATE ON programmes
FOR EACH ROW
  CALL programme_typed_columns(NEW.doc, NEW.ward, NEW.ward_number, NEW.kind,
    NEW.kind_number, NEW.display_name, NEW.consigning_unit_id,
    NEW.same_ward_required, NEW.max_continuation_years,
    NEW.one_proposal_per_applicant, NEW.lifetime_adoption_limit,
    NEW.yearly_adoption_limit, NEW.network_conflicts,
    NEW.city_unit_conflicts, NEW.description)//

-- The eligible kinds and amount caps of programme `in_seq`, rewritten from
-- its document after the programme's row is written. A kind the lookup
-- table does not name becomes 255 and fails the foreign key.
CREATE PROCEDURE programme_typed_children(IN in_seq BIGINT,
  IN in_doc LONGTEXT CHARACTER SET utf8mb4)
BEGIN
  DELETE FROM programme_partner_kinds WHERE programme_seq = in_seq;
  INSERT INTO programme_partner_kinds (programme_seq, position, kind_number)
  SELECT in_seq, t.n - 1, COALESCE(k.number, 255)
  FROM JSON_TABLE(in_doc, '$.eligible_partner_kinds[*]' COLUMNS (
    n FOR ORDINALITY,
    kind VARCHAR(64) CHARACTER SET ascii PATH '$')) t
  LEFT JOIN partner_kinds k ON k.name = t.kind;
  DELETE FROM programme_amount_caps WHERE programme_seq = in_seq;
  INSERT INTO programme_amount_caps
    (programme_seq, position, continuation_year, max_amount_yen)
  SELECT in_seq, t.n - 1, t.continuation_year, t.max_amount_yen
  FROM JSON_TABLE(in_doc, '$.amount_caps[*]' COLUMNS (
    n FOR ORDINALITY,
    continuation_year SMALLINT PATH '$.continuation_year',
    max_amount_yen BIGINT PATH '$.max_amount_yen')) t;
END//

CREATE TRIGGER programmes_children_on_insert AFTER INSERT ON programmes
FOR EACH ROW CALL programme_typed_children(NEW.seq, NEW.doc)//

CREATE TRIGGER programmes_children_on_update AFTER UPDATE ON programmes
FOR EACH ROW CALL programme_typed_children(NEW.seq, NEW.doc)//

-- The backfill, in batches of 500 rows each committed alone, so the
-- previous release keeps serving; its writes from now on fire the
-- triggers above. Rewriting a row's document types it.
BEGIN NOT ATOMIC
  DECLARE done BIGINT DEFAULT 0;
  DECLARE top BIGINT DEFAULT (SELECT COALESCE(MAX(seq), 0) FROM programmes);
  WHILE done < top DO
    UPDATE programmes SET doc = doc WHERE seq > done AND seq <= done + 500;
    COMMIT;
    SET done = done + 500;
  END WHILE;
END//

DELIMITER ;

-- Every row is typed now: what a programme cannot lack becomes NOT NULL.
ALTER TABLE programmes
  MODIFY ward_number TINYINT UNSIGNED NOT NULL,
  MODIFY kind_number TINYINT UNSIGNED NOT NULL,
  MODIFY consigning_unit_id VARCHAR(63) CHARACTER SET ascii
    COLLATE ascii_bin NOT NULL;
