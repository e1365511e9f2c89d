-- project-service: collaboration projects (協働・連携事業).
--
-- As in partner-service, each row keeps the fields that queries need as
-- columns and the rest of the resource as JSON in `doc` (proto field names);
-- name, state and times live in columns only. Text is utf8mb4_bin.
--
-- Every List filter is a range scan over an index ending in seq, so a keyset
-- page (seq > cursor ORDER BY seq LIMIT n) stays cheap at millions of rows:
-- (state, seq), (programme, seq), (start_fiscal_year, seq), ... on projects,
-- and the join tables keyed (partner_id, project_seq) and (ward, project_seq)
-- for the participant, lead and ward filters.

CREATE TABLE projects (
  seq BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  programme VARCHAR(48) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  cooperative BOOLEAN NOT NULL,
  state VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  -- The fiscal year it starts in; NULL when unknown.
  start_fiscal_year INT NULL,
  -- `programmes/{p}/calls/{c}/proposals/{x}`: at most one project per
  -- proposal, deleted projects included (NULLs do not collide).
  source_proposal VARCHAR(300) CHARACTER SET ascii COLLATE ascii_bin NULL,
  -- `programmes/{p}`, the prefix of source_proposal.
  source_programme VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NULL,
  agreement_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NULL,
  version BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL,
  doc LONGTEXT NOT NULL CHECK (JSON_VALID(doc)),
  PRIMARY KEY (seq),
  UNIQUE KEY projects_by_id (id),
  UNIQUE KEY projects_by_source_proposal (source_proposal),
  KEY projects_by_state (state, seq),
  KEY projects_by_programme (programme, seq),
  KEY projects_by_cooperative (cooperative, seq),
  KEY projects_by_fiscal_year (start_fiscal_year, seq),
  KEY projects_by_source_programme (source_programme, seq),
  KEY projects_by_agreement (agreement_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The parties of a project (partner ids of partner-service, which owns them:
-- no foreign key can reach across services).
CREATE TABLE project_participants (
  project_seq BIGINT NOT NULL,
  partner_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  role VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (project_seq, partner_id),
  KEY project_participants_by_partner (partner_id, project_seq),
  KEY project_participants_by_partner_role (partner_id, role, project_seq),
  CONSTRAINT project_participants_project FOREIGN KEY (project_seq)
    REFERENCES projects (seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The wards of a project's CITY_UNIT participants, as partner-service gave
-- them when the participants were written.
CREATE TABLE project_wards (
  project_seq BIGINT NOT NULL,
  ward VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (project_seq, ward),
  KEY project_wards_by_ward (ward, project_seq),
  CONSTRAINT project_wards_project FOREIGN KEY (project_seq)
    REFERENCES projects (seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
