-- proposal-service: every stored field of a committee member (審査会の委員)
-- in a typed column or child table (issue 15): the name and mail address,
-- the affiliations, the proposals the member is assigned, the stages the
-- member scores, the conflicts the member declared and the related parties
-- gathered for the programme's conflict rules, so that an auditor can ask
-- in SQL who sat on which committee, for which proposals, with which
-- conflicts on record, and reads build a member from columns instead of
-- parsing `doc`.
--
-- Expand step, as 005 (docs/OPERATIONS.md, "Typed reviewer columns"): both
-- releases still write `doc`, and the triggers below derive the typed
-- columns and rows from it on every write. A later release drops `doc`,
-- these triggers and procedures (the contract step).
--
-- Conflicts from affiliations are computed when a member is read
-- (proposal-service/reviewer_handlers.cc); only the declared ones are
-- stored. Proposals are named by id: an assigned or declared proposal is
-- always one of the member's own call (the service checks it, and the
-- triggers refuse any other), so its full name follows from the member's.

CREATE TABLE conflict_sources (
  number TINYINT UNSIGNED NOT NULL,
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (number),
  UNIQUE KEY conflict_sources_by_name (name)
) ENGINE=InnoDB;

INSERT INTO conflict_sources (number, name) VALUES
  (0, 'SOURCE_UNSPECIFIED'), (1, 'DECLARED'), (2, 'AFFILIATION'),
  (3, 'NETWORK'), (4, 'CITY_UNIT');

-- display_name nullable until the backfill below has typed every row.
-- "Given" is CHAR_LENGTH(x) > 0, as in 005.
ALTER TABLE reviewers
  ADD COLUMN display_name VARCHAR(300) NULL,
  ADD COLUMN email VARCHAR(254) NULL,
  ADD CONSTRAINT reviewers_display_name_given
    CHECK (CHAR_LENGTH(display_name) > 0),
  ADD CONSTRAINT reviewers_principal_given CHECK (CHAR_LENGTH(principal) > 0),
  ADD CONSTRAINT reviewers_deleted_after_created
    CHECK (delete_time IS NULL OR delete_time >= create_time),
  ADD CONSTRAINT reviewers_version_positive CHECK (version > 0);

-- The organisations a member belongs to (partners), in order, each once.
CREATE TABLE reviewer_affiliations (
  reviewer_seq BIGINT NOT NULL,
  position TINYINT UNSIGNED NOT NULL,
  partner_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (reviewer_seq, position),
  UNIQUE KEY reviewer_affiliations_once (reviewer_seq, partner_id),
  CONSTRAINT reviewer_affiliations_reviewer FOREIGN KEY (reviewer_seq)
    REFERENCES reviewers (seq),
  CONSTRAINT reviewer_affiliations_given CHECK (CHAR_LENGTH(partner_id) > 0),
  CONSTRAINT reviewer_affiliations_at_most_20 CHECK (position < 20)
) ENGINE=InnoDB;

-- The proposals a member reviews (none: every proposal), in order, each
-- once.
CREATE TABLE reviewer_assignments (
  reviewer_seq BIGINT NOT NULL,
  position SMALLINT UNSIGNED NOT NULL,
  proposal_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (reviewer_seq, position),
  UNIQUE KEY reviewer_assignments_once (reviewer_seq, proposal_id),
  KEY reviewer_assignments_by_proposal (proposal_id),
  CONSTRAINT reviewer_assignments_reviewer FOREIGN KEY (reviewer_seq)
    REFERENCES reviewers (seq),
  CONSTRAINT reviewer_assignments_proposal FOREIGN KEY (proposal_id)
    REFERENCES proposals (id),
  CONSTRAINT reviewer_assignments_at_most_500 CHECK (position < 500)
) ENGINE=InnoDB;

-- The stages a member scores (none: the last), 1-based, each once. A call
-- has at most four (proposal-service/domain/validation.h, kMaxStages
-- earlier ones and its own).
CREATE TABLE reviewer_stages (
  reviewer_seq BIGINT NOT NULL,
  position TINYINT UNSIGNED NOT NULL,
  stage TINYINT UNSIGNED NOT NULL,
  PRIMARY KEY (reviewer_seq, position),
  UNIQUE KEY reviewer_stages_once (reviewer_seq, stage),
  CONSTRAINT reviewer_stages_reviewer FOREIGN KEY (reviewer_seq)
    REFERENCES reviewers (seq),
  CONSTRAINT reviewer_stages_range CHECK (stage BETWEEN 1 AND 4),
  CONSTRAINT reviewer_stages_at_most_4 CHECK (position < 4)
) ENGINE=InnoDB;

-- The conflicts a member declared (DeclareConflict), in order, one per
-- proposal; the note as given (NULL: none).
CREATE TABLE reviewer_conflicts (
  reviewer_seq BIGINT NOT NULL,
  position SMALLINT UNSIGNED NOT NULL,
  proposal_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  source_number TINYINT UNSIGNED NOT NULL,
  note TEXT NULL,
  PRIMARY KEY (reviewer_seq, position),
  UNIQUE KEY reviewer_conflicts_once (reviewer_seq, proposal_id),
  KEY reviewer_conflicts_by_proposal (proposal_id),
  CONSTRAINT reviewer_conflicts_reviewer FOREIGN KEY (reviewer_seq)
    REFERENCES reviewers (seq),
  CONSTRAINT reviewer_conflicts_proposal FOREIGN KEY (proposal_id)
    REFERENCES proposals (id),
  CONSTRAINT reviewer_conflicts_source FOREIGN KEY (source_number)
    REFERENCES conflict_sources (number),
  CONSTRAINT reviewer_conflicts_declared CHECK (source_number = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The partners related to an affiliation that the programme's rules make
-- conflicts (Reviewer.related_parties), as gathered from partner-service:
-- the partner, how (NETWORK or CITY_UNIT), through which network or city
-- unit (`via`, a resource name), and the affiliation it is related to.
CREATE TABLE reviewer_related_parties (
  reviewer_seq BIGINT NOT NULL,
  position SMALLINT UNSIGNED NOT NULL,
  partner_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  source_number TINYINT UNSIGNED NOT NULL,
  via VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  affiliation_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (reviewer_seq, position),
  CONSTRAINT reviewer_related_parties_reviewer FOREIGN KEY (reviewer_seq)
    REFERENCES reviewers (seq),
  CONSTRAINT reviewer_related_parties_source FOREIGN KEY (source_number)
    REFERENCES conflict_sources (number),
  CONSTRAINT reviewer_related_parties_how CHECK (source_number IN (3, 4)),
  CONSTRAINT reviewer_related_parties_given
    CHECK (CHAR_LENGTH(partner_id) > 0 AND
           CHAR_LENGTH(affiliation_id) > 0 AND
           (via LIKE 'networks/_%' OR via LIKE 'partners/_%'))
) ENGINE=InnoDB;

DELIMITER //

-- The typed columns of a member's row from its document.
CREATE PROCEDURE reviewer_typed_columns(
  IN in_doc LONGTEXT CHARACTER SET utf8mb4,
  OUT principal VARCHAR(200) CHARACTER SET utf8mb4,
  OUT display_name VARCHAR(300) CHARACTER SET utf8mb4,
  OUT email VARCHAR(254) CHARACTER SET utf8mb4)
  SET principal = JSON_VALUE(in_doc, '$.principal'),
      display_name = JSON_VALUE(in_doc, '$.display_name'),
      email = JSON_VALUE(in_doc, '$.email')//

CREATE TRIGGER reviewers_typed_on_insert BEFORE INSERT ON reviewers
FOR EACH ROW
  CALL reviewer_typed_columns(NEW.doc, NEW.principal, NEW.display_name,
    NEW.email)//

CREATE TRIGGER reviewers_typed_on_update BEFORE UPDATE ON reviewers
FOR EACH ROW
  CALL reviewer_typed_columns(NEW.doc, NEW.principal, NEW.display_name,
    NEW.email)//

-- The child rows of member `in_seq` (of call `in_call` of programme
-- `in_programme`), rewritten from its document after its row is written.
-- A name that is not of the expected collection (or, for proposals, of
-- the member's own call) becomes NULL and is refused; a source the lookup
-- table does not name becomes 255 and fails its foreign key.
CREATE PROCEDURE reviewer_typed_children(IN in_seq BIGINT,
  IN in_programme VARCHAR(63) CHARACTER SET ascii,
  IN in_call VARCHAR(63) CHARACTER SET ascii,
  IN in_doc LONGTEXT CHARACTER SET utf8mb4)
BEGIN
  DECLARE proposals VARCHAR(200) CHARACTER SET ascii DEFAULT
    CONCAT('programmes/', in_programme, '/calls/', in_call, '/proposals/');
  DELETE FROM reviewer_affiliations WHERE reviewer_seq = in_seq;
  INSERT INTO reviewer_affiliations (reviewer_seq, position, partner_id)
  SELECT in_seq, t.n - 1, IF(t.name LIKE 'partners/_%' AND
    LOCATE('/', t.name, 10) = 0, SUBSTRING(t.name, 10), NULL)
  FROM JSON_TABLE(in_doc, '$.affiliations[*]' COLUMNS (
    n FOR ORDINALITY,
    name VARCHAR(300) CHARACTER SET ascii PATH '$')) t;
  DELETE FROM reviewer_assignments WHERE reviewer_seq = in_seq;
  INSERT INTO reviewer_assignments (reviewer_seq, position, proposal_id)
  SELECT in_seq, t.n - 1, IF(LEFT(t.name, LENGTH(proposals)) = proposals AND
    LOCATE('/', t.name, LENGTH(proposals) + 1) = 0,
    SUBSTRING(t.name, LENGTH(proposals) + 1), NULL)
  FROM JSON_TABLE(in_doc, '$.assigned_proposals[*]' COLUMNS (
    n FOR ORDINALITY,
    name VARCHAR(300) CHARACTER SET ascii PATH '$')) t;
  DELETE FROM reviewer_stages WHERE reviewer_seq = in_seq;
  INSERT INTO reviewer_stages (reviewer_seq, position, stage)
  SELECT in_seq, t.n - 1, t.stage
  FROM JSON_TABLE(in_doc, '$.stages[*]' COLUMNS (
    n FOR ORDINALITY,
    stage INT PATH '$')) t;
  DELETE FROM reviewer_conflicts WHERE reviewer_seq = in_seq;
  INSERT INTO reviewer_conflicts
    (reviewer_seq, position, proposal_id, source_number, note)
  SELECT in_seq, t.n - 1, IF(LEFT(t.name, LENGTH(proposals)) = proposals AND
    LOCATE('/', t.name, LENGTH(proposals) + 1) = 0,
    SUBSTRING(t.name, LENGTH(proposals) + 1), NULL),
    COALESCE(s.number, 255), t.note
  FROM JSON_TABLE(in_doc, '$.conflicts[*]' COLUMNS (
    n FOR ORDINALITY,
    name VARCHAR(300) CHARACTER SET ascii PATH '$.proposal',
    source VARCHAR(64) CHARACTER SET ascii PATH '$.source',
    note TEXT CHARACTER SET utf8mb4 PATH '$.note')) t
  LEFT JOIN conflict_sources s ON s.name = t.source;
  DELETE FROM reviewer_related_parties WHERE reviewer_seq = in_seq;
  INSERT INTO reviewer_related_parties
    (reviewer_seq, position, partner_id, source_number, via, affiliation_id)
  SELECT in_seq, t.n - 1,
    IF(t.partner LIKE 'partners/_%' AND LOCATE('/', t.partner, 10) = 0,
      SUBSTRING(t.partner, 10), NULL),
    COALESCE(s.number, 255), t.via,
    IF(t.affiliation LIKE 'partners/_%' AND
      LOCATE('/', t.affiliation, 10) = 0, SUBSTRING(t.affiliation, 10), NULL)
  FROM JSON_TABLE(in_doc, '$.related_parties[*]' COLUMNS (
    n FOR ORDINALITY,
    partner VARCHAR(300) CHARACTER SET ascii PATH '$.partner',
    source VARCHAR(64) CHARACTER SET ascii PATH '$.source',
    via VARCHAR(300) CHARACTER SET ascii PATH '$.via',
    affiliation VARCHAR(300) CHARACTER SET ascii PATH '$.affiliation')) t
  LEFT JOIN conflict_sources s ON s.name = t.source;
END//

CREATE TRIGGER reviewers_children_on_insert AFTER INSERT ON reviewers
FOR EACH ROW
  CALL reviewer_typed_children(NEW.seq, NEW.programme_id, NEW.call_id,
    NEW.doc)//

CREATE TRIGGER reviewers_children_on_update AFTER UPDATE ON reviewers
FOR EACH ROW
  CALL reviewer_typed_children(NEW.seq, NEW.programme_id, NEW.call_id,
    NEW.doc)//

-- The backfill, in batches of 500 rows each committed alone, so the
-- previous release keeps serving; its writes from now on fire the
-- triggers above. Rewriting a row's document types it.
BEGIN NOT ATOMIC
  DECLARE done BIGINT DEFAULT 0;
  DECLARE top BIGINT DEFAULT (SELECT COALESCE(MAX(seq), 0) FROM reviewers);
  WHILE done < top DO
    UPDATE reviewers SET doc = doc WHERE seq > done AND seq <= done + 500;
    COMMIT;
    SET done = done + 500;
  END WHILE;
END//

DELIMITER ;

-- Every row is typed now: a member without a name is refused.
ALTER TABLE reviewers MODIFY display_name VARCHAR(300) NOT NULL;
