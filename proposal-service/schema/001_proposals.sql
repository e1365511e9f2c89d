-- proposal-service: programmes, calls, reviewers, proposals, reviews and
-- decisions.
--
-- As in partner-service, each resource row keeps the fields that queries
-- need as columns and the rest of the resource as JSON in `doc` (proto field
-- names); output-only bookkeeping (name, state, times, etag) lives in
-- columns only. Some columns are copies of doc fields or of a parent's
-- fields (a call's ward, a proposal's fiscal year) that never change once
-- the child exists, so List filters and the decision's queries need no join
-- and no JSON. Text is utf8mb4 with a binary collation.
--
-- Ids are server-generated and unique per table, so a child row is found by
-- its own id; the parent ids in its name are checked against the columns.

CREATE TABLE programmes (
  seq BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  ward VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind VARCHAR(48) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  display_name VARCHAR(300) NOT NULL,
  version BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL,
  doc LONGTEXT NOT NULL CHECK (JSON_VALID(doc)),
  PRIMARY KEY (seq),
  UNIQUE KEY programmes_by_id (id),
  KEY programmes_by_ward (ward, seq),
  KEY programmes_by_kind (kind, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every change to a call's proposals, reviewers and reviews first locks the
-- call row (shared; SubmitProposal exclusively, to count the applicant's
-- proposals), and every transition of the call locks it exclusively, so a
-- change can never slip in beside a transition (e.g. a review written while
-- the decision reads the reviews).
CREATE TABLE calls (
  seq BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  programme_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  -- The programme's ward (a programme's ward never changes).
  ward VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  fiscal_year INT NOT NULL,
  state VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  version BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL,
  doc LONGTEXT NOT NULL CHECK (JSON_VALID(doc)),
  PRIMARY KEY (seq),
  UNIQUE KEY calls_by_id (id),
  KEY calls_by_programme (programme_id, seq),
  KEY calls_by_state (state, seq),
  KEY calls_by_ward (ward, seq),
  KEY calls_by_fiscal_year (fiscal_year, seq),
  CONSTRAINT calls_programme FOREIGN KEY (programme_id) REFERENCES programmes (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Committee members. `principal` (the token's reviewer claim) is unique
-- among the call's members that are not deleted.
CREATE TABLE reviewers (
  seq BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  programme_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  call_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  principal VARCHAR(200) NOT NULL,
  live_principal VARCHAR(200)
    AS (IF(delete_time IS NULL, principal, NULL)) STORED,
  version BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL,
  doc LONGTEXT NOT NULL CHECK (JSON_VALID(doc)),
  PRIMARY KEY (seq),
  UNIQUE KEY reviewers_by_id (id),
  UNIQUE KEY reviewers_by_live_principal (call_id, live_principal),
  KEY reviewers_by_call (call_id, seq),
  KEY reviewers_by_principal (principal, call_id),
  CONSTRAINT reviewers_call FOREIGN KEY (call_id) REFERENCES calls (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE proposals (
  seq BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  programme_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  call_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  -- Copies of the call's ward and fiscal year (fixed once the call is OPEN,
  -- and proposals are only created in OPEN calls).
  ward VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  fiscal_year INT NOT NULL,
  applicant_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  title VARCHAR(500) NOT NULL,
  requested_amount_yen BIGINT NOT NULL,
  state VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  submit_time DATETIME(6) NULL,
  project_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NULL,
  version BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL,
  doc LONGTEXT NOT NULL CHECK (JSON_VALID(doc)),
  PRIMARY KEY (seq),
  UNIQUE KEY proposals_by_id (id),
  KEY proposals_by_call (call_id, seq),
  KEY proposals_by_applicant (applicant_id, seq),
  KEY proposals_by_programme_applicant (programme_id, applicant_id, state),
  KEY proposals_by_state (state, seq),
  KEY proposals_by_ward (ward, seq),
  KEY proposals_by_fiscal_year (fiscal_year, seq),
  KEY proposals_by_project (project_id, seq),
  CONSTRAINT proposals_call FOREIGN KEY (call_id) REFERENCES calls (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The applicant and co-applicants of each proposal, replaced whenever the
-- proposal is written: reviewers' AFFILIATION conflicts are this table
-- joined with their affiliations.
CREATE TABLE proposal_parties (
  proposal_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  call_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  partner_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (proposal_id, partner_id),
  KEY proposal_parties_by_call (call_id, partner_id),
  CONSTRAINT proposal_parties_proposal FOREIGN KEY (proposal_id)
    REFERENCES proposals (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One review per reviewer per proposal. `scores` holds the scores in
-- criterion order as decimal integers joined by commas ("4,3,5"), read by
-- the decision without parsing any JSON; `doc` holds the rest (comment).
CREATE TABLE reviews (
  seq BIGINT NOT NULL AUTO_INCREMENT,
  programme_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  call_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  proposal_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  reviewer_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  scores VARCHAR(1000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  version BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  doc LONGTEXT NOT NULL CHECK (JSON_VALID(doc)),
  PRIMARY KEY (seq),
  UNIQUE KEY reviews_by_proposal_reviewer (proposal_id, reviewer_id),
  KEY reviews_by_call (call_id),
  KEY reviews_by_reviewer (reviewer_id),
  CONSTRAINT reviews_proposal FOREIGN KEY (proposal_id) REFERENCES proposals (id),
  CONSTRAINT reviews_reviewer FOREIGN KEY (reviewer_id) REFERENCES reviewers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The decision of a call, at most one (the primary key): the exact engine
-- input it was computed from (canonical JSON, see
-- domain/selection_codec.h), that input's SHA-256, and the Decision message
-- answered (JSON, proto field names). Never updated.
CREATE TABLE decisions (
  call_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  decided_by VARCHAR(255) NOT NULL,
  decide_time DATETIME(6) NOT NULL,
  inputs LONGTEXT NOT NULL CHECK (JSON_VALID(inputs)),
  inputs_sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  decision LONGTEXT NOT NULL CHECK (JSON_VALID(decision)),
  PRIMARY KEY (call_id),
  CONSTRAINT decisions_call FOREIGN KEY (call_id) REFERENCES calls (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
