-- partner-service: partners, agreements and networks.
--
-- Each resource row keeps the fields queries need as columns (indexed for
-- keyset pagination by seq) and the rest of the resource as JSON in `doc`
-- (proto field names), so adding a field to the API needs no migration.
-- Output-only fields (name, state, times, etag) live in columns only.
-- Text is utf8mb4 with a binary collation: はは and ばば stay distinct.

CREATE TABLE partners (
  seq BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  display_name VARCHAR(300) NOT NULL,
  name_kana VARCHAR(300) NOT NULL DEFAULT '',
  -- SearchPartners key: NFKC, case folded, katakana as hiragana.
  search_key TEXT NOT NULL,
  ward VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL,
  corporate_number CHAR(13) CHARACTER SET ascii COLLATE ascii_bin NULL,
  legal_form VARCHAR(100) NOT NULL DEFAULT '',
  parent_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NULL,
  state VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  version BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL,
  doc LONGTEXT NOT NULL CHECK (JSON_VALID(doc)),
  PRIMARY KEY (seq),
  UNIQUE KEY partners_by_id (id),
  UNIQUE KEY partners_by_corporate_number (corporate_number),
  KEY partners_by_kind (kind, seq),
  KEY partners_by_ward (ward, seq),
  KEY partners_by_parent (parent_id, seq),
  CONSTRAINT partners_parent FOREIGN KEY (parent_id) REFERENCES partners (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE agreements (
  seq BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  display_name VARCHAR(500) NOT NULL,
  -- The first day a partial date (year, or year and month) can mean.
  sign_date DATE NULL,
  end_date DATE NULL,
  version BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL,
  doc LONGTEXT NOT NULL CHECK (JSON_VALID(doc)),
  PRIMARY KEY (seq),
  UNIQUE KEY agreements_by_id (id),
  KEY agreements_by_kind (kind, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE agreement_parties (
  agreement_seq BIGINT NOT NULL,
  partner_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (agreement_seq, partner_id),
  KEY agreement_parties_by_partner (partner_id, agreement_seq),
  CONSTRAINT agreement_parties_agreement FOREIGN KEY (agreement_seq)
    REFERENCES agreements (seq),
  CONSTRAINT agreement_parties_partner FOREIGN KEY (partner_id)
    REFERENCES partners (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE networks (
  seq BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  display_name VARCHAR(300) NOT NULL,
  convening_unit_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  -- The convening unit's ward when the network was last written.
  ward VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL,
  version BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL,
  doc LONGTEXT NOT NULL CHECK (JSON_VALID(doc)),
  PRIMARY KEY (seq),
  UNIQUE KEY networks_by_id (id),
  KEY networks_by_ward (ward, seq),
  KEY networks_by_unit (convening_unit_id, seq),
  CONSTRAINT networks_unit FOREIGN KEY (convening_unit_id) REFERENCES partners (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE network_members (
  network_seq BIGINT NOT NULL,
  partner_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (network_seq, partner_id),
  KEY network_members_by_partner (partner_id, network_seq),
  CONSTRAINT network_members_network FOREIGN KEY (network_seq)
    REFERENCES networks (seq),
  CONSTRAINT network_members_partner FOREIGN KEY (partner_id)
    REFERENCES partners (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per lock name; SELECT ... FOR UPDATE on it serialises writers
-- that must see each other (the city-unit tree: two concurrent re-parentings
-- could otherwise close a cycle that neither sees alone).
CREATE TABLE locks (
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB;

INSERT INTO locks (name) VALUES ('city_unit_tree');
