-- proposal-service: a call's criteria, each review's scores and each
-- decision's results in typed rows (issue 15), so that auditors and
-- analysts can query, join and sum them in SQL: until now they were only in
-- JSON documents (calls.doc, decisions.decision) and a text column of
-- comma-separated integers (reviews.scores).
--
-- Expand step, as partner-service/schema/002_partner_columns.sql: the
-- service still writes and reads the documents and the scores column
-- exactly as before, and triggers (each calling one procedure) derive these
-- rows from them on every write, whichever release makes it, so they never
-- differ. Nothing here is
-- written by the serving account (common/db/migrate.h, kReadOnlyTables).
-- Enums are stored by number, named by lookup tables that the service
-- checks against its protos with its schema (proposal-service/main.cc,
-- schema_check).
--
-- Display copies are not stored twice: a result's title and applicant are
-- the proposal's, its rounded score follows from the exact fraction, and
-- the scores of earlier stages are in stage_results (002).

CREATE TABLE proposal_result_reasons (
  number TINYINT UNSIGNED NOT NULL,
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (number),
  UNIQUE KEY proposal_result_reasons_by_name (name)
) ENGINE=InnoDB;

INSERT INTO proposal_result_reasons (number, name) VALUES
  (0, 'REASON_UNSPECIFIED'), (1, 'ADOPTED'), (2, 'BELOW_PASS_MARK'),
  (3, 'BUDGET_EXHAUSTED'), (4, 'ADOPTION_LIMIT_REACHED'), (5, 'INELIGIBLE'),
  (6, 'WITHDRAWN'), (7, 'COMMITTEE_NOT_ADOPTED'), (8, 'STAGE_NOT_PASSED');

CREATE TABLE committee_ruling_actions (
  number TINYINT UNSIGNED NOT NULL,
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (number),
  UNIQUE KEY committee_ruling_actions_by_name (name)
) ENGINE=InnoDB;

INSERT INTO committee_ruling_actions (number, name) VALUES
  (0, 'ACTION_UNSPECIFIED'), (1, 'REDUCE'), (2, 'ADOPT'), (3, 'NOT_ADOPT');

-- A call's scoring criteria per review stage: stages 1..n are the call's
-- earlier stages (Call.stages), stage n + 1 its own criteria (1 without
-- stages). `position` is the criterion's index, which a review's scores
-- follow.
CREATE TABLE call_criteria (
  call_seq BIGINT NOT NULL,
  stage TINYINT UNSIGNED NOT NULL,
  position TINYINT UNSIGNED NOT NULL,
  display_name VARCHAR(300) NULL,
  weight BIGINT NULL,
  max_score BIGINT NULL,
  description TEXT NULL,
  PRIMARY KEY (call_seq, stage, position),
  CONSTRAINT call_criteria_call FOREIGN KEY (call_seq) REFERENCES calls (seq),
  CONSTRAINT call_criteria_stage CHECK (stage BETWEEN 1 AND 4),
  CONSTRAINT call_criteria_at_most_20 CHECK (position < 20),
  CONSTRAINT call_criteria_weight CHECK (weight BETWEEN 1 AND 1000),
  CONSTRAINT call_criteria_max_score CHECK (max_score BETWEEN 1 AND 1000000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per score of a review, in criterion order (reviews.scores).
CREATE TABLE review_scores (
  review_seq BIGINT NOT NULL,
  position TINYINT UNSIGNED NOT NULL,
  score BIGINT NOT NULL,
  PRIMARY KEY (review_seq, position),
  CONSTRAINT review_scores_review FOREIGN KEY (review_seq)
    REFERENCES reviews (seq),
  CONSTRAINT review_scores_at_most_20 CHECK (position < 20),
  CONSTRAINT review_scores_range CHECK (score BETWEEN 0 AND 1000000)
) ENGINE=InnoDB;

-- One row per result of a decision (Decision.results, in their order: rank
-- order, then the unranked by name). Decisions are never updated.
CREATE TABLE decision_results (
  call_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  position SMALLINT UNSIGNED NOT NULL,
  proposal_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  -- 1-based among the scored proposals; 0 for the unranked.
  result_rank INT NOT NULL,
  reason_number TINYINT UNSIGNED NOT NULL,
  -- The aggregate score on the 0..100 scale as an exact reduced fraction,
  -- decimal digits (it can outgrow 64 bits); NULL for the unscored.
  score_numerator VARCHAR(1000) CHARACTER SET ascii COLLATE ascii_bin NULL,
  score_denominator VARCHAR(1000) CHARACTER SET ascii COLLATE ascii_bin NULL,
  requested_amount_yen BIGINT NULL,
  adopted_amount_yen BIGINT NULL,
  budget_left_yen BIGINT NULL,
  tied_on_score BOOLEAN NOT NULL,
  reviews INT NULL,
  conflicted_members INT NULL,
  recommended_reason_number TINYINT UNSIGNED NULL,
  recommended_amount_yen BIGINT NULL,
  ruling_action_number TINYINT UNSIGNED NULL,
  ruling_amount_yen BIGINT NULL,
  ruling_reason TEXT NULL,
  failed_stage TINYINT UNSIGNED NULL,
  PRIMARY KEY (call_id, position),
  UNIQUE KEY decision_results_once (call_id, proposal_id),
  KEY decision_results_by_proposal (proposal_id),
  KEY decision_results_by_reason (reason_number, call_id),
  CONSTRAINT decision_results_decision FOREIGN KEY (call_id)
    REFERENCES decisions (call_id),
  CONSTRAINT decision_results_proposal FOREIGN KEY (proposal_id)
    REFERENCES proposals (id),
  CONSTRAINT decision_results_reason FOREIGN KEY (reason_number)
    REFERENCES proposal_result_reasons (number),
  CONSTRAINT decision_results_recommended FOREIGN KEY
    (recommended_reason_number) REFERENCES proposal_result_reasons (number),
  CONSTRAINT decision_results_ruling FOREIGN KEY (ruling_action_number)
    REFERENCES committee_ruling_actions (number),
  CONSTRAINT decision_results_reason_given CHECK (reason_number <> 0),
  CONSTRAINT decision_results_rank CHECK (result_rank >= 0),
  -- Both or neither; a CHECK whose test is NULL passes, hence the IS NULLs.
  CONSTRAINT decision_results_fraction CHECK (
    (score_numerator IS NULL) = (score_denominator IS NULL) AND
    (score_numerator IS NULL OR
     (score_numerator REGEXP '^[0-9]+$' AND
      score_denominator REGEXP '^[1-9][0-9]*$'))),
  CONSTRAINT decision_results_amounts CHECK (
    COALESCE(requested_amount_yen, 0) >= 0 AND
    COALESCE(adopted_amount_yen, 0) >= 0 AND
    COALESCE(budget_left_yen, 0) >= 0 AND
    COALESCE(recommended_amount_yen, 0) >= 0 AND
    COALESCE(ruling_amount_yen, 0) >= 0),
  CONSTRAINT decision_results_adopted_within_request CHECK (
    adopted_amount_yen IS NULL OR requested_amount_yen IS NULL OR
    adopted_amount_yen <= requested_amount_yen),
  CONSTRAINT decision_results_counts CHECK (
    COALESCE(reviews, 0) >= 0 AND COALESCE(conflicted_members, 0) >= 0)
) ENGINE=InnoDB;

DELIMITER //

-- The criteria rows of call `in_seq`, rewritten from its document.
CREATE PROCEDURE call_criteria_rows(IN in_seq BIGINT,
  IN in_doc LONGTEXT CHARACTER SET utf8mb4)
BEGIN
  DELETE FROM call_criteria WHERE call_seq = in_seq;
  INSERT INTO call_criteria
    (call_seq, stage, position, display_name, weight, max_score, description)
  SELECT in_seq, c.stage, c.n - 1, c.display_name, c.weight, c.max_score,
    c.description
  FROM (
    SELECT s.stage, s.n, s.display_name, s.weight, s.max_score,
      s.description
    FROM JSON_TABLE(in_doc, '$.stages[*]' COLUMNS (
      stage FOR ORDINALITY,
      NESTED PATH '$.criteria[*]' COLUMNS (
        n FOR ORDINALITY,
        display_name VARCHAR(300) CHARACTER SET utf8mb4 PATH '$.display_name',
        weight BIGINT PATH '$.weight',
        max_score BIGINT PATH '$.max_score',
        description TEXT CHARACTER SET utf8mb4 PATH '$.description'))) s
    WHERE s.n IS NOT NULL
    UNION ALL
    SELECT COALESCE(JSON_LENGTH(in_doc, '$.stages'), 0) + 1, o.n,
      o.display_name, o.weight, o.max_score, o.description
    FROM JSON_TABLE(in_doc, '$.criteria[*]' COLUMNS (
      n FOR ORDINALITY,
      display_name VARCHAR(300) CHARACTER SET utf8mb4 PATH '$.display_name',
      weight BIGINT PATH '$.weight',
      max_score BIGINT PATH '$.max_score',
      description TEXT CHARACTER SET utf8mb4 PATH '$.description')) o
  ) c;
END//

CREATE TRIGGER calls_criteria_on_insert AFTER INSERT ON calls
FOR EACH ROW CALL call_criteria_rows(NEW.seq, NEW.doc)//

CREATE TRIGGER calls_criteria_on_update AFTER UPDATE ON calls
FOR EACH ROW CALL call_criteria_rows(NEW.seq, NEW.doc)//

-- The score rows of review `in_seq`. The scores column is digits joined by
-- commas, so '[' scores ']' is a JSON array of integers; anything else
-- makes the write fail.
CREATE PROCEDURE review_scores_rows(IN in_seq BIGINT,
  IN in_scores VARCHAR(1000) CHARACTER SET ascii)
BEGIN
  DELETE FROM review_scores WHERE review_seq = in_seq;
  INSERT INTO review_scores (review_seq, position, score)
  SELECT in_seq, s.n - 1, s.score
  FROM JSON_TABLE(CONCAT('[', in_scores, ']'), '$[*]' COLUMNS (
    n FOR ORDINALITY, score BIGINT PATH '$')) s;
END//

CREATE TRIGGER reviews_scores_on_insert AFTER INSERT ON reviews
FOR EACH ROW CALL review_scores_rows(NEW.seq, NEW.scores)//

CREATE TRIGGER reviews_scores_on_update AFTER UPDATE ON reviews
FOR EACH ROW CALL review_scores_rows(NEW.seq, NEW.scores)//

-- The result rows of the decision of call `in_call`. A name the lookup
-- tables do not hold becomes 255, which fails the foreign key instead of
-- storing nothing.
CREATE PROCEDURE decision_results_rows(
  IN in_call VARCHAR(63) CHARACTER SET ascii,
  IN in_decision LONGTEXT CHARACTER SET utf8mb4)
  INSERT INTO decision_results
    (call_id, position, proposal_id, result_rank, reason_number,
     score_numerator, score_denominator, requested_amount_yen,
     adopted_amount_yen, budget_left_yen, tied_on_score, reviews,
     conflicted_members, recommended_reason_number, recommended_amount_yen,
     ruling_action_number, ruling_amount_yen, ruling_reason, failed_stage)
  SELECT in_call, r.n - 1, SUBSTRING_INDEX(r.proposal, '/', -1),
    COALESCE(r.result_rank, 0),
    COALESCE((SELECT x.number FROM proposal_result_reasons x
      WHERE x.name = r.reason), 255),
    r.score_numerator, r.score_denominator, r.requested_amount_yen,
    r.adopted_amount_yen, r.budget_left_yen, COALESCE(r.tied_on_score, FALSE),
    r.reviews, r.conflicted_members,
    IF(r.recommended_reason IS NULL, NULL,
      COALESCE((SELECT x.number FROM proposal_result_reasons x
        WHERE x.name = r.recommended_reason), 255)),
    r.recommended_amount_yen,
    IF(r.ruling_action IS NULL, NULL,
      COALESCE((SELECT a.number FROM committee_ruling_actions a
        WHERE a.name = r.ruling_action), 255)),
    r.ruling_amount_yen, r.ruling_reason, r.failed_stage
  FROM JSON_TABLE(in_decision, '$.results[*]' COLUMNS (
    n FOR ORDINALITY,
    proposal VARCHAR(400) CHARACTER SET ascii PATH '$.proposal',
    result_rank INT PATH '$.rank',
    reason VARCHAR(64) CHARACTER SET ascii PATH '$.reason',
    score_numerator VARCHAR(1000) CHARACTER SET ascii
      PATH '$.score_numerator',
    score_denominator VARCHAR(1000) CHARACTER SET ascii
      PATH '$.score_denominator',
    requested_amount_yen BIGINT PATH '$.requested_amount_yen',
    adopted_amount_yen BIGINT PATH '$.adopted_amount_yen',
    budget_left_yen BIGINT PATH '$.budget_left_yen',
    tied_on_score BOOLEAN PATH '$.tied_on_score',
    reviews INT PATH '$.reviews',
    conflicted_members INT PATH '$.conflicted_members',
    recommended_reason VARCHAR(64) CHARACTER SET ascii
      PATH '$.recommended_reason',
    recommended_amount_yen BIGINT PATH '$.recommended_amount_yen',
    ruling_action VARCHAR(64) CHARACTER SET ascii PATH '$.ruling.action',
    ruling_amount_yen BIGINT PATH '$.ruling.adopted_amount_yen',
    ruling_reason TEXT CHARACTER SET utf8mb4 PATH '$.ruling.reason',
    failed_stage TINYINT UNSIGNED PATH '$.failed_stage')) r//

CREATE TRIGGER decisions_results_on_insert AFTER INSERT ON decisions
FOR EACH ROW CALL decision_results_rows(NEW.call_id, NEW.decision)//

-- The backfill. Calls and reviews: rewriting each row fires the update
-- triggers, in batches of 500 rows each committed alone, so the previous
-- release keeps serving. Decisions are never updated: the results of each
-- are copied once, skipping a decision whose trigger already wrote them.
BEGIN NOT ATOMIC
  DECLARE done BIGINT DEFAULT 0;
  DECLARE top BIGINT DEFAULT (SELECT COALESCE(MAX(seq), 0) FROM calls);
  WHILE done < top DO
    UPDATE calls SET doc = doc WHERE seq > done AND seq <= done + 500;
    COMMIT;
    SET done = done + 500;
  END WHILE;
  SET done = 0;
  SET top = (SELECT COALESCE(MAX(seq), 0) FROM reviews);
  WHILE done < top DO
    UPDATE reviews SET scores = scores WHERE seq > done AND seq <= done + 500;
    COMMIT;
    SET done = done + 500;
  END WHILE;
  FOR d IN (SELECT call_id, decision FROM decisions e WHERE NOT EXISTS (
      SELECT 1 FROM decision_results r WHERE r.call_id = e.call_id)) DO
    CALL decision_results_rows(d.call_id, d.decision);
    COMMIT;
  END FOR;
END//

DELIMITER ;
