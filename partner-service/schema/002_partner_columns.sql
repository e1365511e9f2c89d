-- partner-service: every field of a partner in a typed column or child
-- table (issue 15), so that SQL can query and constrain what 001 kept only
-- in the JSON document, and GetPartner reads columns instead of parsing it.
--
-- Expand step of an expand/contract change (docs/OPERATIONS.md, "Typed
-- partner columns"). The previous release writes and reads `doc`, and keeps
-- doing so while a rollout replaces it; this release still writes `doc` the
-- same way, so either release can serve beside the other. The triggers below
-- (each calling one procedure) derive the typed columns and the child tables
-- from `doc` on every write, whichever release makes it (or an operator by
-- hand), so the two can never differ. A later release makes the columns the
-- written copy and drops `doc`, these triggers and procedures (the contract
-- step).
--
-- Enums are stored by number, so that renaming a value in the protos keeps
-- the data. The names live in one lookup table per enum, which the service
-- compares with its own enums with its schema (partner-service/spec.cc,
-- schema_check): a value added or renamed in the protos needs a migration
-- here, and a service that finds the tables out of step stays NOT_SERVING,
-- logging the value.
--
-- Presence is kept: a nullable column is NULL when the field is unset and ''
-- when it was set to the empty string, as the document kept it.

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

CREATE TABLE wards (
  number TINYINT UNSIGNED NOT NULL,
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (number),
  UNIQUE KEY wards_by_name (name)
) ENGINE=InnoDB;

INSERT INTO wards (number, name) VALUES
  (0, 'WARD_UNSPECIFIED'), (1, 'KAWASAKI'), (2, 'SAIWAI'), (3, 'NAKAHARA'),
  (4, 'TAKATSU'), (5, 'MIYAMAE'), (6, 'TAMA'), (7, 'ASAO');

CREATE TABLE partner_states (
  number TINYINT UNSIGNED NOT NULL,
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (number),
  UNIQUE KEY partner_states_by_name (name)
) ENGINE=InnoDB;

INSERT INTO partner_states (number, name) VALUES
  (0, 'STATE_UNSPECIFIED'), (1, 'ACTIVE'), (2, 'INACTIVE');

-- The columns are nullable while the backfill below runs; the triggers set
-- kind_number and state_number on every write, and a value the lookup table
-- does not name becomes 255, which no lookup row has: the foreign key then
-- refuses the write instead of storing nothing.
ALTER TABLE partners
  MODIFY name_kana VARCHAR(300) NULL DEFAULT NULL,
  MODIFY legal_form VARCHAR(100) NULL DEFAULT NULL,
  ADD COLUMN kind_number TINYINT UNSIGNED NULL,
  ADD COLUMN ward_number TINYINT UNSIGNED NULL,
  ADD COLUMN state_number TINYINT UNSIGNED NULL,
  ADD COLUMN address VARCHAR(500) NULL,
  ADD COLUMN website_uri VARCHAR(500) NULL,
  ADD COLUMN description TEXT NULL,
  -- How many rows the partner has in partner_contacts and
  -- partner_other_wards together: a read looks for them only when there
  -- are some, so a partner without is one single-row SELECT.
  ADD COLUMN child_rows SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  ADD CONSTRAINT partners_kind_number FOREIGN KEY (kind_number)
    REFERENCES partner_kinds (number),
  ADD CONSTRAINT partners_ward_number FOREIGN KEY (ward_number)
    REFERENCES wards (number),
  ADD CONSTRAINT partners_state_number FOREIGN KEY (state_number)
    REFERENCES partner_states (number),
  ADD CONSTRAINT partners_kind_given CHECK (kind_number <> 0),
  ADD CONSTRAINT partners_display_name_given CHECK (display_name <> ''),
  ADD CONSTRAINT partners_corporate_number_digits
    CHECK (corporate_number REGEXP '^[0-9]{13}$'),
  ADD CONSTRAINT partners_deleted_after_created
    CHECK (delete_time IS NULL OR delete_time >= create_time),
  ADD CONSTRAINT partners_version_positive CHECK (version > 0);

-- A partner's contacts (personal data: docs/API.md, "Contacts"), in order.
CREATE TABLE partner_contacts (
  partner_seq BIGINT NOT NULL,
  position TINYINT UNSIGNED NOT NULL,
  person_name VARCHAR(200) NULL,
  role VARCHAR(200) NULL,
  email VARCHAR(254) NULL,
  phone VARCHAR(40) NULL,
  PRIMARY KEY (partner_seq, position),
  CONSTRAINT partner_contacts_partner FOREIGN KEY (partner_seq)
    REFERENCES partners (seq),
  CONSTRAINT partner_contacts_at_most_20 CHECK (position < 20)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The other wards a partner works in beside its own, in order.
CREATE TABLE partner_other_wards (
  partner_seq BIGINT NOT NULL,
  position TINYINT UNSIGNED NOT NULL,
  ward_number TINYINT UNSIGNED NOT NULL,
  PRIMARY KEY (partner_seq, position),
  UNIQUE KEY partner_other_wards_once (partner_seq, ward_number),
  KEY partner_other_wards_by_ward (ward_number, partner_seq),
  CONSTRAINT partner_other_wards_partner FOREIGN KEY (partner_seq)
    REFERENCES partners (seq),
  CONSTRAINT partner_other_wards_ward FOREIGN KEY (ward_number)
    REFERENCES wards (number),
  CONSTRAINT partner_other_wards_a_ward CHECK (ward_number <> 0),
  CONSTRAINT partner_other_wards_at_most_6 CHECK (position < 6)
) ENGINE=InnoDB;

DELIMITER //

-- The typed columns of a partner row, from its document and state: the one
-- body both BEFORE triggers call.
CREATE PROCEDURE partner_typed_columns(
  IN in_doc LONGTEXT CHARACTER SET utf8mb4,
  IN in_state VARCHAR(16) CHARACTER SET ascii,
  OUT kind_number TINYINT UNSIGNED, OUT ward_number TINYINT UNSIGNED,
  OUT state_number TINYINT UNSIGNED,
  OUT display_name VARCHAR(300) CHARACTER SET utf8mb4,
  OUT name_kana VARCHAR(300) CHARACTER SET utf8mb4,
  OUT legal_form VARCHAR(100) CHARACTER SET utf8mb4,
  OUT address VARCHAR(500) CHARACTER SET utf8mb4,
  OUT website_uri VARCHAR(500) CHARACTER SET utf8mb4,
  OUT description TEXT CHARACTER SET utf8mb4,
  OUT child_rows SMALLINT UNSIGNED)
  SET kind_number = COALESCE((SELECT k.number FROM partner_kinds k
        WHERE k.name = JSON_VALUE(in_doc, '$.kind')), 255),
      ward_number = IF(JSON_VALUE(in_doc, '$.ward') IS NULL, NULL,
        COALESCE((SELECT w.number FROM wards w
          WHERE w.name = JSON_VALUE(in_doc, '$.ward')), 255)),
      state_number = COALESCE((SELECT s.number FROM partner_states s
        WHERE s.name = in_state), 255),
      display_name = JSON_VALUE(in_doc, '$.display_name'),
      name_kana = JSON_VALUE(in_doc, '$.name_kana'),
      legal_form = JSON_VALUE(in_doc, '$.legal_form'),
      address = JSON_VALUE(in_doc, '$.address'),
      website_uri = JSON_VALUE(in_doc, '$.website_uri'),
      description = JSON_VALUE(in_doc, '$.description'),
      child_rows = COALESCE(JSON_LENGTH(in_doc, '$.contacts'), 0) +
        COALESCE(JSON_LENGTH(in_doc, '$.other_wards'), 0)//

CREATE TRIGGER partners_typed_on_insert BEFORE INSERT ON partners
FOR EACH ROW
  CALL partner_typed_columns(NEW.doc, NEW.state, NEW.kind_number,
    NEW.ward_number, NEW.state_number, NEW.display_name, NEW.name_kana,
    NEW.legal_form, NEW.address, NEW.website_uri, NEW.description,
    NEW.child_rows)//

CREATE TRIGGER partners_typed_on_update BEFORE UPDATE ON partners
FOR EACH ROW
  CALL partner_typed_columns(NEW.doc, NEW.state, NEW.kind_number,
    NEW.ward_number, NEW.state_number, NEW.display_name, NEW.name_kana,
    NEW.legal_form, NEW.address, NEW.website_uri, NEW.description,
    NEW.child_rows)//

-- The child rows of partner `in_seq`, rewritten from its document: called
-- after the partner's row is written, so their foreign keys find it. A ward
-- name the lookup does not know becomes 255 and fails
-- partner_other_wards_ward.
CREATE PROCEDURE partner_typed_children(IN in_seq BIGINT,
  IN in_doc LONGTEXT CHARACTER SET utf8mb4)
BEGIN
  DELETE FROM partner_contacts WHERE partner_seq = in_seq;
  DELETE FROM partner_other_wards WHERE partner_seq = in_seq;
  INSERT INTO partner_contacts
    (partner_seq, position, person_name, role, email, phone)
  SELECT in_seq, c.n - 1, c.person_name, c.role, c.email, c.phone
  FROM JSON_TABLE(in_doc, '$.contacts[*]' COLUMNS (
    n FOR ORDINALITY,
    person_name VARCHAR(200) CHARACTER SET utf8mb4 PATH '$.person_name',
    role VARCHAR(200) CHARACTER SET utf8mb4 PATH '$.role',
    email VARCHAR(254) CHARACTER SET utf8mb4 PATH '$.email',
    phone VARCHAR(40) CHARACTER SET utf8mb4 PATH '$.phone')) c;
  INSERT INTO partner_other_wards (partner_seq, position, ward_number)
  SELECT in_seq, o.n - 1, COALESCE(w.number, 255)
  FROM JSON_TABLE(in_doc, '$.other_wards[*]' COLUMNS (
    n FOR ORDINALITY,
    ward VARCHAR(64) CHARACTER SET ascii PATH '$')) o
  LEFT JOIN wards w ON w.name = o.ward;
END//

CREATE TRIGGER partners_children_on_insert AFTER INSERT ON partners
FOR EACH ROW CALL partner_typed_children(NEW.seq, NEW.doc)//

CREATE TRIGGER partners_children_on_update AFTER UPDATE ON partners
FOR EACH ROW CALL partner_typed_children(NEW.seq, NEW.doc)//

-- The backfill: rewriting each existing row fires the triggers above. In
-- batches of 500 rows, each its own transaction, so the previous release
-- keeps serving (its writes fire the same triggers); a row it inserts from
-- now on is typed by the insert trigger.
BEGIN NOT ATOMIC
  DECLARE done BIGINT DEFAULT 0;
  DECLARE top BIGINT DEFAULT (SELECT COALESCE(MAX(seq), 0) FROM partners);
  WHILE done < top DO
    UPDATE partners SET doc = doc WHERE seq > done AND seq <= done + 500;
    COMMIT;
    SET done = done + 500;
  END WHILE;
END//

DELIMITER ;

-- Every row is typed now: the columns a partner cannot lack become NOT NULL.
ALTER TABLE partners
  MODIFY kind_number TINYINT UNSIGNED NOT NULL,
  MODIFY state_number TINYINT UNSIGNED NOT NULL;
