-- partner-service: every field of an agreement (協定) and of a network
-- (協議会) in a typed column or child table (issue 15), as 002 did for
-- partners: kinds by number, the precision of a partial signing date, the
-- renewal date, descriptions, themes in order, and the order of parties and
-- members, so that SQL can query and constrain them and reads build both
-- resources from columns instead of parsing `doc`.
--
-- Expand step, as 002 (docs/OPERATIONS.md, "Typed agreement and network
-- columns"): the previous release and this one both still write `doc`, and
-- the triggers below derive the typed columns and rows from it on every
-- write, whichever release makes it. Parties and members are written by the
-- service itself (partner-service/store/links.h) after the row they belong
-- to; their position is taken from that row's document as each link is
-- inserted, so a link the document does not list has no position and is
-- refused. A later release drops `doc`, these triggers and procedures (the
-- contract step).

CREATE TABLE agreement_kinds (
  number TINYINT UNSIGNED NOT NULL,
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (number),
  UNIQUE KEY agreement_kinds_by_name (name)
) ENGINE=InnoDB;

INSERT INTO agreement_kinds (number, name) VALUES
  (0, 'KIND_UNSPECIFIED'), (1, 'COMPREHENSIVE'), (2, 'THEME');

-- sign_date keeps the first day a partial date can mean (001);
-- sign_date_parts says how much of it is known: 1 the year, 2 the year and
-- month, 3 the full date. Nullable, and its CHECK added, after the backfill.
ALTER TABLE agreements
  ADD COLUMN kind_number TINYINT UNSIGNED NULL,
  ADD COLUMN sign_date_parts TINYINT UNSIGNED NULL,
  ADD COLUMN renewal_date DATE NULL,
  ADD COLUMN description TEXT NULL,
  ADD CONSTRAINT agreements_kind_number FOREIGN KEY (kind_number)
    REFERENCES agreement_kinds (number),
  ADD CONSTRAINT agreements_kind_given CHECK (kind_number <> 0),
  ADD CONSTRAINT agreements_display_name_given CHECK (display_name <> ''),
  ADD CONSTRAINT agreements_ends_after_signing
    CHECK (end_date IS NULL OR sign_date IS NULL OR end_date >= sign_date),
  ADD CONSTRAINT agreements_renewed_after_signing
    CHECK (renewal_date IS NULL OR sign_date IS NULL OR
           renewal_date >= sign_date),
  ADD CONSTRAINT agreements_deleted_after_created
    CHECK (delete_time IS NULL OR delete_time >= create_time),
  ADD CONSTRAINT agreements_version_positive CHECK (version > 0);

-- An agreement's themes (テーマ), in order.
CREATE TABLE agreement_themes (
  agreement_seq BIGINT NOT NULL,
  position TINYINT UNSIGNED NOT NULL,
  theme VARCHAR(300) NOT NULL,
  PRIMARY KEY (agreement_seq, position),
  CONSTRAINT agreement_themes_agreement FOREIGN KEY (agreement_seq)
    REFERENCES agreements (seq),
  CONSTRAINT agreement_themes_given CHECK (theme <> ''),
  CONSTRAINT agreement_themes_at_most_50 CHECK (position < 50)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE agreement_parties
  ADD COLUMN position TINYINT UNSIGNED NULL,
  ADD CONSTRAINT agreement_parties_at_most_50 CHECK (position < 50);

-- ward_number is the lookup (002, wards) of the name in `ward`, which the
-- service sets from the convening unit.
ALTER TABLE networks
  ADD COLUMN ward_number TINYINT UNSIGNED NULL,
  ADD COLUMN description TEXT NULL,
  ADD CONSTRAINT networks_ward_number FOREIGN KEY (ward_number)
    REFERENCES wards (number),
  ADD CONSTRAINT networks_a_ward CHECK (ward_number <> 0),
  ADD CONSTRAINT networks_display_name_given CHECK (display_name <> ''),
  ADD CONSTRAINT networks_deleted_after_created
    CHECK (delete_time IS NULL OR delete_time >= create_time),
  ADD CONSTRAINT networks_version_positive CHECK (version > 0);

ALTER TABLE network_members
  ADD COLUMN position TINYINT UNSIGNED NULL,
  ADD CONSTRAINT network_members_at_most_200 CHECK (position < 200);

DELIMITER //

-- A google.type.Date member of a document as a DATE: NULL when the member
-- is absent; a month or day of 0 (unknown) is read as 1.
CREATE PROCEDURE doc_date(IN in_doc LONGTEXT CHARACTER SET utf8mb4,
  IN in_path VARCHAR(64) CHARACTER SET ascii, OUT out_date DATE)
  SET out_date = IF(JSON_EXISTS(in_doc, in_path) = 0, NULL,
    STR_TO_DATE(CONCAT_WS('-',
      COALESCE(JSON_VALUE(in_doc, CONCAT(in_path, '.year')), 0),
      GREATEST(COALESCE(JSON_VALUE(in_doc, CONCAT(in_path, '.month')), 0), 1),
      GREATEST(COALESCE(JSON_VALUE(in_doc, CONCAT(in_path, '.day')), 0), 1)),
      '%Y-%c-%e'))//

-- The typed columns of an agreement row from its document: the one body
-- both BEFORE triggers call. A kind the lookup table does not name becomes
-- 255, which fails agreements_kind_number.
CREATE PROCEDURE agreement_typed_columns(
  IN in_doc LONGTEXT CHARACTER SET utf8mb4,
  OUT kind VARCHAR(32) CHARACTER SET ascii,
  OUT kind_number TINYINT UNSIGNED,
  OUT display_name VARCHAR(500) CHARACTER SET utf8mb4,
  OUT sign_date DATE, OUT sign_date_parts TINYINT UNSIGNED,
  OUT end_date DATE, OUT renewal_date DATE,
  OUT description TEXT CHARACTER SET utf8mb4)
BEGIN
  SET kind = JSON_VALUE(in_doc, '$.kind'),
      kind_number = COALESCE((SELECT k.number FROM agreement_kinds k
        WHERE k.name = JSON_VALUE(in_doc, '$.kind')), 255),
      display_name = JSON_VALUE(in_doc, '$.display_name'),
      sign_date_parts = IF(JSON_EXISTS(in_doc, '$.sign_date') = 0, NULL,
        IF(COALESCE(JSON_VALUE(in_doc, '$.sign_date.day'), 0) > 0, 3,
          IF(COALESCE(JSON_VALUE(in_doc, '$.sign_date.month'), 0) > 0, 2,
            1))),
      description = JSON_VALUE(in_doc, '$.description');
  CALL doc_date(in_doc, '$.sign_date', sign_date);
  CALL doc_date(in_doc, '$.end_date', end_date);
  CALL doc_date(in_doc, '$.renewal_date', renewal_date);
END//

CREATE TRIGGER agreements_typed_on_insert BEFORE INSERT ON agreements
FOR EACH ROW
  CALL agreement_typed_columns(NEW.doc, NEW.kind, NEW.kind_number,
    NEW.display_name, NEW.sign_date, NEW.sign_date_parts, NEW.end_date,
    NEW.renewal_date, NEW.description)//

CREATE TRIGGER agreements_typed_on_update BEFORE UPDATE ON agreements
FOR EACH ROW
  CALL agreement_typed_columns(NEW.doc, NEW.kind, NEW.kind_number,
    NEW.display_name, NEW.sign_date, NEW.sign_date_parts, NEW.end_date,
    NEW.renewal_date, NEW.description)//

-- The themes of agreement `in_seq`, rewritten from its document after the
-- agreement's row is written.
CREATE PROCEDURE agreement_typed_themes(IN in_seq BIGINT,
  IN in_doc LONGTEXT CHARACTER SET utf8mb4)
BEGIN
  DELETE FROM agreement_themes WHERE agreement_seq = in_seq;
  INSERT INTO agreement_themes (agreement_seq, position, theme)
  SELECT in_seq, t.n - 1, t.theme
  FROM JSON_TABLE(in_doc, '$.themes[*]' COLUMNS (
    n FOR ORDINALITY,
    theme VARCHAR(300) CHARACTER SET utf8mb4 PATH '$')) t;
END//

CREATE TRIGGER agreements_themes_on_insert AFTER INSERT ON agreements
FOR EACH ROW CALL agreement_typed_themes(NEW.seq, NEW.doc)//

CREATE TRIGGER agreements_themes_on_update AFTER UPDATE ON agreements
FOR EACH ROW CALL agreement_typed_themes(NEW.seq, NEW.doc)//

-- Where partner `in_partner` stands in `in_list` (a document's parties or
-- members), from 0; NULL when it is not there.
CREATE PROCEDURE doc_link_position(IN in_list LONGTEXT CHARACTER SET utf8mb4,
  IN in_partner VARCHAR(63) CHARACTER SET ascii, OUT out_position INT)
  SET out_position = (SELECT MIN(l.n) - 1
    FROM JSON_TABLE(in_list, '$[*]' COLUMNS (
      n FOR ORDINALITY,
      partner VARCHAR(100) CHARACTER SET ascii PATH '$')) l
    WHERE l.partner = CONCAT('partners/', in_partner))//

-- A link's position, from its owner's document as it is now (the service
-- writes the owner's row first). An owner seq that matches no row leaves it
-- NULL; the foreign key refuses such a link anyway.
CREATE PROCEDURE agreement_party_position(IN in_seq BIGINT,
  IN in_partner VARCHAR(63) CHARACTER SET ascii, OUT out_position INT)
BEGIN
  DECLARE list LONGTEXT CHARACTER SET utf8mb4 DEFAULT
    (SELECT JSON_EXTRACT(a.doc, '$.parties') FROM agreements a
     WHERE a.seq = in_seq);
  CALL doc_link_position(list, in_partner, out_position);
END//

CREATE PROCEDURE network_member_position(IN in_seq BIGINT,
  IN in_partner VARCHAR(63) CHARACTER SET ascii, OUT out_position INT)
BEGIN
  DECLARE list LONGTEXT CHARACTER SET utf8mb4 DEFAULT
    (SELECT JSON_EXTRACT(n.doc, '$.members') FROM networks n
     WHERE n.seq = in_seq);
  CALL doc_link_position(list, in_partner, out_position);
END//

CREATE TRIGGER agreement_parties_position_on_insert
BEFORE INSERT ON agreement_parties FOR EACH ROW
  CALL agreement_party_position(NEW.agreement_seq, NEW.partner_id,
    NEW.position)//

CREATE TRIGGER agreement_parties_position_on_update
BEFORE UPDATE ON agreement_parties FOR EACH ROW
  CALL agreement_party_position(NEW.agreement_seq, NEW.partner_id,
    NEW.position)//

CREATE TRIGGER network_members_position_on_insert
BEFORE INSERT ON network_members FOR EACH ROW
  CALL network_member_position(NEW.network_seq, NEW.partner_id,
    NEW.position)//

CREATE TRIGGER network_members_position_on_update
BEFORE UPDATE ON network_members FOR EACH ROW
  CALL network_member_position(NEW.network_seq, NEW.partner_id,
    NEW.position)//

-- The typed columns of a network row from its document and its ward name.
-- A ward name the lookup table does not know becomes 255 and fails
-- networks_ward_number.
CREATE PROCEDURE network_typed_columns(
  IN in_doc LONGTEXT CHARACTER SET utf8mb4,
  IN in_ward VARCHAR(16) CHARACTER SET ascii,
  OUT display_name VARCHAR(300) CHARACTER SET utf8mb4,
  OUT convening_unit_id VARCHAR(63) CHARACTER SET ascii,
  OUT ward_number TINYINT UNSIGNED,
  OUT description TEXT CHARACTER SET utf8mb4)
  SET display_name = JSON_VALUE(in_doc, '$.display_name'),
      convening_unit_id = SUBSTRING_INDEX(
        JSON_VALUE(in_doc, '$.convening_unit'), '/', -1),
      ward_number = IF(in_ward IS NULL, NULL,
        COALESCE((SELECT w.number FROM wards w WHERE w.name = in_ward), 255)),
      description = JSON_VALUE(in_doc, '$.description')//

CREATE TRIGGER networks_typed_on_insert BEFORE INSERT ON networks
FOR EACH ROW
  CALL network_typed_columns(NEW.doc, NEW.ward, NEW.display_name,
    NEW.convening_unit_id, NEW.ward_number, NEW.description)//

CREATE TRIGGER networks_typed_on_update BEFORE UPDATE ON networks
FOR EACH ROW
  CALL network_typed_columns(NEW.doc, NEW.ward, NEW.display_name,
    NEW.convening_unit_id, NEW.ward_number, NEW.description)//

-- The backfill, in batches of 500 rows each committed alone, so the
-- previous release keeps serving; its writes from now on fire the
-- triggers above. Rewriting a row's document types it; rewriting a link
-- gives it its position.
BEGIN NOT ATOMIC
  DECLARE done BIGINT DEFAULT 0;
  DECLARE top BIGINT DEFAULT (SELECT COALESCE(MAX(seq), 0) FROM agreements);
  WHILE done < top DO
    UPDATE agreements SET doc = doc WHERE seq > done AND seq <= done + 500;
    UPDATE agreement_parties SET partner_id = partner_id
      WHERE agreement_seq > done AND agreement_seq <= done + 500;
    COMMIT;
    SET done = done + 500;
  END WHILE;
  SET done = 0;
  SET top = (SELECT COALESCE(MAX(seq), 0) FROM networks);
  WHILE done < top DO
    UPDATE networks SET doc = doc WHERE seq > done AND seq <= done + 500;
    UPDATE network_members SET partner_id = partner_id
      WHERE network_seq > done AND network_seq <= done + 500;
    COMMIT;
    SET done = done + 500;
  END WHILE;
END//

DELIMITER ;

-- Every row is typed now: what a row cannot lack becomes NOT NULL, and a
-- position is given once per owner.
ALTER TABLE agreements
  MODIFY kind_number TINYINT UNSIGNED NOT NULL,
  ADD CONSTRAINT agreements_sign_date_parts
    CHECK ((sign_date IS NULL) = (sign_date_parts IS NULL) AND
           (sign_date_parts IS NULL OR sign_date_parts BETWEEN 1 AND 3));
ALTER TABLE agreement_parties
  MODIFY position TINYINT UNSIGNED NOT NULL,
  ADD UNIQUE KEY agreement_parties_in_order (agreement_seq, position);
ALTER TABLE network_members
  MODIFY position TINYINT UNSIGNED NOT NULL,
  ADD UNIQUE KEY network_members_in_order (network_seq, position);
