-- Review stages (段階審査, Call.stages): a review scores one stage, a
-- proposal records how many earlier stages it passed, and each closed stage
-- keeps what it counted. Backward compatible (docs/OPERATIONS.md, expand and
-- contract): every existing call has one stage, which is stage 1, so the
-- defaults describe the existing rows exactly, and a release that knows
-- nothing of stages writes rows these defaults still describe.

-- The stage a review scores (1-based; Call.current_stage when written). A
-- member sitting on two stages writes one review per stage.
ALTER TABLE reviews
  ADD COLUMN stage INT NOT NULL DEFAULT 1 CHECK (stage BETWEEN 1 AND 4),
  DROP INDEX reviews_by_proposal_reviewer,
  ADD UNIQUE KEY reviews_by_proposal_reviewer (proposal_id, reviewer_id, stage);

-- How many earlier stages the proposal passed (AdvanceStage): it is under
-- review in stage stages_passed + 1. Never read by applicants.
ALTER TABLE proposals
  ADD COLUMN stages_passed INT NOT NULL DEFAULT 0 CHECK (stages_passed BETWEEN 0 AND 3);

-- What AdvanceStage counted for each proposal under review in the stage it
-- closed: the counted and conflicted reviews as the engine took them
-- (JSON, domain/selection_codec.h's review list), the exact score and
-- whether it passed. The decision reads a closed stage from here, never
-- from the live reviews, so a member's later change cannot alter a stage
-- that is closed. Written once per (proposal, stage), never updated.
CREATE TABLE stage_results (
  call_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  proposal_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  stage INT NOT NULL CHECK (stage BETWEEN 1 AND 3),
  score_numerator VARCHAR(1000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  score_denominator VARCHAR(1000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  passed BOOLEAN NOT NULL,
  reviews LONGTEXT NOT NULL CHECK (JSON_VALID(reviews)),
  create_time DATETIME(6) NOT NULL,
  PRIMARY KEY (proposal_id, stage),
  KEY stage_results_by_call (call_id, stage),
  CONSTRAINT stage_results_proposal FOREIGN KEY (proposal_id)
    REFERENCES proposals (id),
  CONSTRAINT stage_results_call FOREIGN KEY (call_id) REFERENCES calls (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
