-- project-service: each project's contributions, their expense lines and
-- its outcome indicators in typed rows (issue 15), so that analysts and
-- auditors can sum yen by form and expense item, and query outcomes, in SQL
-- without JSON functions.
--
-- Expand step, as partner-service/schema/002_partner_columns.sql: the
-- service writes and reads the document exactly as before, and triggers
-- (each calling one procedure) derive these rows from it on every write,
-- whichever release makes it, so they never differ. The serving account may only read them
-- (common/db/migrate.h, kReadOnlyTables). Enums are stored by number, named
-- by lookup tables the service checks against its protos with its schema
-- (project-service/main.cc). Presence is kept: NULL where the field is
-- unset.

CREATE TABLE contribution_forms (
  number TINYINT UNSIGNED NOT NULL,
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (number),
  UNIQUE KEY contribution_forms_by_name (name)
) ENGINE=InnoDB;

INSERT INTO contribution_forms (number, name) VALUES
  (0, 'CONTRIBUTION_FORM_UNSPECIFIED'), (1, 'CONSIGNMENT'),
  (2, 'BUSINESS_COOPERATION'), (3, 'SUBSIDY'), (4, 'GRANT'),
  (5, 'CO_HOSTING'), (6, 'KNOW_HOW'), (7, 'FACILITIES'), (8, 'PEOPLE'),
  (9, 'INFORMATION'), (10, 'VOLUNTEERING'), (11, 'DONATION');

CREATE TABLE expense_items (
  number TINYINT UNSIGNED NOT NULL,
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (number),
  UNIQUE KEY expense_items_by_name (name)
) ENGINE=InnoDB;

INSERT INTO expense_items (number, name) VALUES
  (0, 'ITEM_UNSPECIFIED'), (1, 'LECTURER_FEE'), (2, 'SUPPLIES'),
  (3, 'PRINTING'), (4, 'VENUE'), (5, 'POSTAGE'), (6, 'TRAVEL'),
  (7, 'INSURANCE'), (8, 'EQUIPMENT_RENTAL'), (9, 'OTHER');

-- A project's contributions in order. The partners are partner-service's
-- ids (no foreign key across services).
CREATE TABLE project_contributions (
  project_seq BIGINT NOT NULL,
  position TINYINT UNSIGNED NOT NULL,
  form_number TINYINT UNSIGNED NOT NULL,
  from_partner_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NULL,
  to_partner_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NULL,
  amount_yen BIGINT NULL,
  description TEXT NULL,
  PRIMARY KEY (project_seq, position),
  KEY project_contributions_by_form (form_number, project_seq),
  KEY project_contributions_by_from (from_partner_id, project_seq),
  CONSTRAINT project_contributions_project FOREIGN KEY (project_seq)
    REFERENCES projects (seq),
  CONSTRAINT project_contributions_form FOREIGN KEY (form_number)
    REFERENCES contribution_forms (number),
  CONSTRAINT project_contributions_form_given CHECK (form_number <> 0),
  CONSTRAINT project_contributions_at_most_50 CHECK (position < 50),
  CONSTRAINT project_contributions_amount CHECK (amount_yen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The expense lines (経費の内訳) of each contribution, in order.
CREATE TABLE project_expense_lines (
  project_seq BIGINT NOT NULL,
  contribution_position TINYINT UNSIGNED NOT NULL,
  position TINYINT UNSIGNED NOT NULL,
  item_number TINYINT UNSIGNED NOT NULL,
  amount_yen BIGINT NULL,
  description VARCHAR(500) NULL,
  PRIMARY KEY (project_seq, contribution_position, position),
  KEY project_expense_lines_by_item (item_number, project_seq),
  CONSTRAINT project_expense_lines_contribution
    FOREIGN KEY (project_seq, contribution_position)
    REFERENCES project_contributions (project_seq, position),
  CONSTRAINT project_expense_lines_item FOREIGN KEY (item_number)
    REFERENCES expense_items (number),
  CONSTRAINT project_expense_lines_item_given CHECK (item_number <> 0),
  CONSTRAINT project_expense_lines_at_most_50 CHECK (position < 50),
  CONSTRAINT project_expense_lines_amount CHECK (amount_yen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A project's outcome indicators (成果指標) in order.
CREATE TABLE project_outcomes (
  project_seq BIGINT NOT NULL,
  position TINYINT UNSIGNED NOT NULL,
  name VARCHAR(300) NULL,
  value DOUBLE NULL,
  unit VARCHAR(50) NULL,
  approximate BOOLEAN NULL,
  note VARCHAR(1000) NULL,
  PRIMARY KEY (project_seq, position),
  CONSTRAINT project_outcomes_project FOREIGN KEY (project_seq)
    REFERENCES projects (seq),
  CONSTRAINT project_outcomes_at_most_100 CHECK (position < 100)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

DELIMITER //

-- The typed rows of project `in_seq`, rewritten from its document: the old
-- expense lines go before their contributions (the foreign key), the new
-- ones after. A form or item name the lookup tables do not hold becomes
-- 255, which fails the foreign key instead of storing nothing.
CREATE PROCEDURE project_typed_rows(IN in_seq BIGINT,
  IN in_doc LONGTEXT CHARACTER SET utf8mb4)
BEGIN
  DELETE FROM project_expense_lines WHERE project_seq = in_seq;
  DELETE FROM project_contributions WHERE project_seq = in_seq;
  DELETE FROM project_outcomes WHERE project_seq = in_seq;
  INSERT INTO project_contributions (project_seq, position, form_number,
    from_partner_id, to_partner_id, amount_yen, description)
  SELECT in_seq, c.n - 1,
    COALESCE((SELECT f.number FROM contribution_forms f
      WHERE f.name = c.form), 255),
    SUBSTRING_INDEX(c.from_partner, '/', -1),
    SUBSTRING_INDEX(c.to_partner, '/', -1), c.amount_yen, c.description
  FROM JSON_TABLE(in_doc, '$.contributions[*]' COLUMNS (
    n FOR ORDINALITY,
    form VARCHAR(64) CHARACTER SET ascii PATH '$.form',
    from_partner VARCHAR(100) CHARACTER SET ascii PATH '$.from_partner',
    to_partner VARCHAR(100) CHARACTER SET ascii PATH '$.to_partner',
    amount_yen BIGINT PATH '$.amount_yen',
    description TEXT CHARACTER SET utf8mb4 PATH '$.description')) c;
  INSERT INTO project_expense_lines (project_seq, contribution_position,
    position, item_number, amount_yen, description)
  SELECT in_seq, e.c - 1, e.n - 1,
    COALESCE((SELECT i.number FROM expense_items i
      WHERE i.name = e.item), 255),
    e.amount_yen, e.description
  FROM JSON_TABLE(in_doc, '$.contributions[*]' COLUMNS (
    c FOR ORDINALITY,
    NESTED PATH '$.expense_lines[*]' COLUMNS (
      n FOR ORDINALITY,
      item VARCHAR(64) CHARACTER SET ascii PATH '$.item',
      amount_yen BIGINT PATH '$.amount_yen',
      description VARCHAR(500) CHARACTER SET utf8mb4
        PATH '$.description'))) e
  WHERE e.n IS NOT NULL;
  INSERT INTO project_outcomes (project_seq, position, name, value, unit,
    approximate, note)
  SELECT in_seq, o.n - 1, o.name, o.value, o.unit, o.approximate, o.note
  FROM JSON_TABLE(in_doc, '$.outcomes[*]' COLUMNS (
    n FOR ORDINALITY,
    name VARCHAR(300) CHARACTER SET utf8mb4 PATH '$.name',
    value DOUBLE PATH '$.value',
    unit VARCHAR(50) CHARACTER SET utf8mb4 PATH '$.unit',
    approximate BOOLEAN PATH '$.approximate',
    note VARCHAR(1000) CHARACTER SET utf8mb4 PATH '$.note')) o;
END//

CREATE TRIGGER projects_typed_on_insert AFTER INSERT ON projects
FOR EACH ROW CALL project_typed_rows(NEW.seq, NEW.doc)//

CREATE TRIGGER projects_typed_on_update AFTER UPDATE ON projects
FOR EACH ROW CALL project_typed_rows(NEW.seq, NEW.doc)//

-- The backfill: rewriting each row fires the update trigger, in batches of
-- 500 rows each committed alone, so the previous release keeps serving.
-- (project_totals' trigger skips these rewrites: nothing it counts moves.)
BEGIN NOT ATOMIC
  DECLARE done BIGINT DEFAULT 0;
  DECLARE top BIGINT DEFAULT (SELECT COALESCE(MAX(seq), 0) FROM projects);
  WHILE done < top DO
    UPDATE projects SET doc = doc WHERE seq > done AND seq <= done + 500;
    COMMIT;
    SET done = done + 500;
  END WHILE;
END//

DELIMITER ;
