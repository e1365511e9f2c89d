-- project-service: the totals the ward dashboard reads (issue 15).
--
-- How many live projects each ward has per fiscal year and state, and their
-- contributions' count and yen per form: what SummarizeProjects answers for
-- a filter on one ward (and a fiscal year, a state), read from a few rows
-- here instead of counting and summing every project of the ward.
--
-- Written only by the triggers below, so any writer of projects keeps it
-- exact: this version, the version before it while a rollout replaces it,
-- and a repair made by hand in SQL. The serving account may only read it
-- (common/db/migrate.h, kReadOnlyTables); the triggers write with the
-- privileges of the account that ran this migration. A write that would
-- take a total below zero (a total that no longer matches the projects)
-- fails with its CHECK rather than drifting further.
--
-- `form` is '' on the row counting the projects themselves (n), and a
-- ContributionForm name on the rows of their contributions (n of them,
-- amount_yen summed). fiscal_year is 0 for a project without one. A project
-- counts once under each ward of its CITY_UNIT participants (project_wards),
-- as the ward filter of ListProjects finds it; deleted projects do not count.

CREATE TABLE project_totals (
  ward VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  fiscal_year INT NOT NULL,
  state VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  form VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  n BIGINT NOT NULL,
  amount_yen DECIMAL(38, 0) NOT NULL,
  PRIMARY KEY (ward, fiscal_year, state, form),
  CONSTRAINT project_totals_n CHECK (n >= 0),
  CONSTRAINT project_totals_amount CHECK (amount_yen >= 0),
  CONSTRAINT project_totals_count_row CHECK (form <> '' OR amount_yen = 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- No writer may change projects while the triggers are made and the totals
-- filled, so that no write is counted twice or missed. Readers wait too; at
-- 1,000,000 projects this holds for the time docs/BENCHMARKS.md gives.
LOCK TABLES projects WRITE, project_wards WRITE, project_totals WRITE;

-- Each trigger is one INSERT ... SELECT of signed changes (d, dy) whose
-- ON DUPLICATE KEY UPDATE adds them to the existing row (the CHECKs then
-- apply to the sum). A row not there yet is inserted with the change when
-- it is positive, with 0 when negative (which only a drifted total can
-- meet). Rows change in key order: a write that moves its project from one
-- state to another changes its totals in one statement (the store rewrites
-- only the ward rows that differ), so two such writes lock the rows they
-- share in the same order and do not deadlock on them; a deadlock among
-- larger writes is retried like any other (common/db/transaction.h).

-- A ward row added: the project now counts under that ward.
CREATE TRIGGER project_wards_add_totals AFTER INSERT ON project_wards
FOR EACH ROW
  INSERT INTO project_totals (ward, fiscal_year, state, form, n, amount_yen)
  SELECT NEW.ward, f.fiscal_year, f.state, f.form, f.d, f.dy
  FROM (
    SELECT COALESCE(p.start_fiscal_year, 0) AS fiscal_year, p.state,
      '' AS form, 1 AS d, 0 AS dy
    FROM projects p WHERE p.seq = NEW.project_seq AND p.delete_time IS NULL
    UNION ALL
    SELECT COALESCE(p.start_fiscal_year, 0), p.state,
      COALESCE(c.form, 'CONTRIBUTION_FORM_UNSPECIFIED'), 1,
      COALESCE(c.amount, 0)
    FROM projects p, JSON_TABLE(p.doc, '$.contributions[*]' COLUMNS (
      form VARCHAR(64) PATH '$.form',
      amount DECIMAL(20, 0) PATH '$.amount_yen')) c
    WHERE p.seq = NEW.project_seq AND p.delete_time IS NULL
  ) f
  ORDER BY f.fiscal_year, f.state, f.form
  ON DUPLICATE KEY UPDATE project_totals.n = project_totals.n + f.d,
    project_totals.amount_yen = project_totals.amount_yen + f.dy;

-- A ward row removed: the project no longer counts under that ward.
CREATE TRIGGER project_wards_remove_totals AFTER DELETE ON project_wards
FOR EACH ROW
  INSERT INTO project_totals (ward, fiscal_year, state, form, n, amount_yen)
  SELECT OLD.ward, f.fiscal_year, f.state, f.form, 0, 0
  FROM (
    SELECT COALESCE(p.start_fiscal_year, 0) AS fiscal_year, p.state,
      '' AS form, -1 AS d, 0 AS dy
    FROM projects p WHERE p.seq = OLD.project_seq AND p.delete_time IS NULL
    UNION ALL
    SELECT COALESCE(p.start_fiscal_year, 0), p.state,
      COALESCE(c.form, 'CONTRIBUTION_FORM_UNSPECIFIED'), -1,
      -COALESCE(c.amount, 0)
    FROM projects p, JSON_TABLE(p.doc, '$.contributions[*]' COLUMNS (
      form VARCHAR(64) PATH '$.form',
      amount DECIMAL(20, 0) PATH '$.amount_yen')) c
    WHERE p.seq = OLD.project_seq AND p.delete_time IS NULL
  ) f
  ORDER BY f.fiscal_year, f.state, f.form
  ON DUPLICATE KEY UPDATE project_totals.n = project_totals.n + f.d,
    project_totals.amount_yen = project_totals.amount_yen + f.dy;

-- A project changed: under each of its wards its old figures leave and its
-- new ones arrive. Skipped when nothing counted changed (a title edit), so
-- that such writes take no lock on the totals.
CREATE TRIGGER projects_move_totals AFTER UPDATE ON projects
FOR EACH ROW
  INSERT INTO project_totals (ward, fiscal_year, state, form, n, amount_yen)
  SELECT w.ward, f.fiscal_year, f.state, f.form, GREATEST(f.d, 0),
    GREATEST(f.dy, 0)
  FROM project_wards w JOIN (
    SELECT COALESCE(OLD.start_fiscal_year, 0) AS fiscal_year,
      OLD.state AS state, '' AS form, -1 AS d, 0 AS dy
    FROM DUAL WHERE OLD.delete_time IS NULL
    UNION ALL
    SELECT COALESCE(OLD.start_fiscal_year, 0), OLD.state,
      COALESCE(c.form, 'CONTRIBUTION_FORM_UNSPECIFIED'), -1,
      -COALESCE(c.amount, 0)
    FROM JSON_TABLE(OLD.doc, '$.contributions[*]' COLUMNS (
      form VARCHAR(64) PATH '$.form',
      amount DECIMAL(20, 0) PATH '$.amount_yen')) c
    WHERE OLD.delete_time IS NULL
    UNION ALL
    SELECT COALESCE(NEW.start_fiscal_year, 0), NEW.state, '', 1, 0
    FROM DUAL WHERE NEW.delete_time IS NULL
    UNION ALL
    SELECT COALESCE(NEW.start_fiscal_year, 0), NEW.state,
      COALESCE(c.form, 'CONTRIBUTION_FORM_UNSPECIFIED'), 1,
      COALESCE(c.amount, 0)
    FROM JSON_TABLE(NEW.doc, '$.contributions[*]' COLUMNS (
      form VARCHAR(64) PATH '$.form',
      amount DECIMAL(20, 0) PATH '$.amount_yen')) c
    WHERE NEW.delete_time IS NULL
  ) f
  WHERE w.project_seq = NEW.seq
    AND NOT (OLD.state <=> NEW.state
      AND OLD.start_fiscal_year <=> NEW.start_fiscal_year
      AND (OLD.delete_time IS NULL) = (NEW.delete_time IS NULL)
      AND JSON_EXTRACT(OLD.doc, '$.contributions')
        <=> JSON_EXTRACT(NEW.doc, '$.contributions'))
  ORDER BY w.ward, f.fiscal_year, f.state, f.form, f.d
  ON DUPLICATE KEY UPDATE project_totals.n = project_totals.n + f.d,
    project_totals.amount_yen = project_totals.amount_yen + f.dy;

-- The projects written before this migration (LOCK TABLES wants the tables
-- by the names it locked, so no aliases here).
INSERT INTO project_totals (ward, fiscal_year, state, form, n, amount_yen)
SELECT project_wards.ward, COALESCE(projects.start_fiscal_year, 0),
  projects.state, '', COUNT(*), 0
FROM projects JOIN project_wards ON project_wards.project_seq = projects.seq
WHERE projects.delete_time IS NULL
GROUP BY project_wards.ward, COALESCE(projects.start_fiscal_year, 0),
  projects.state;

INSERT INTO project_totals (ward, fiscal_year, state, form, n, amount_yen)
SELECT project_wards.ward, COALESCE(projects.start_fiscal_year, 0),
  projects.state, COALESCE(c.form, 'CONTRIBUTION_FORM_UNSPECIFIED'),
  COUNT(*), COALESCE(SUM(c.amount), 0)
FROM projects JOIN project_wards ON project_wards.project_seq = projects.seq,
  JSON_TABLE(projects.doc, '$.contributions[*]' COLUMNS (
    form VARCHAR(64) PATH '$.form',
    amount DECIMAL(20, 0) PATH '$.amount_yen')) c
WHERE projects.delete_time IS NULL
GROUP BY project_wards.ward, COALESCE(projects.start_fiscal_year, 0),
  projects.state, COALESCE(c.form, 'CONTRIBUTION_FORM_UNSPECIFIED');

UNLOCK TABLES;
