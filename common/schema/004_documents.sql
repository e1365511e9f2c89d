-- Documents attached to a service's records (common/documents/documents.h):
-- each document's facts in `documents`, its content in `document_chunks`
-- (common/documents/content_store.h, the MariaDB store), both written in
-- the transaction that accepts the upload, so a refused or broken upload
-- leaves no row. Both are in the service's database, and so in its backups
-- (docs/OPERATIONS.md, "Back up and restore").

CREATE TABLE documents (
  seq BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  -- The record the document belongs to, e.g.
  -- `programmes/p/calls/c/proposals/x`.
  parent VARCHAR(300) NOT NULL,
  -- kyodo.type.v1.DocumentKind by number.
  kind TINYINT UNSIGNED NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  size_bytes BIGINT NOT NULL,
  sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  content_type VARCHAR(127) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  public BOOLEAN NOT NULL DEFAULT FALSE,
  -- Where the content is: `mariadb` (document_chunks); another store (an
  -- S3-compatible one) would name itself here.
  content_store VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  chunk_count INT NOT NULL,
  creator VARCHAR(255) NOT NULL,
  version BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  delete_time DATETIME(6) NULL,
  PRIMARY KEY (seq),
  UNIQUE KEY documents_by_id (id),
  KEY documents_by_parent (parent, seq),
  CONSTRAINT documents_size CHECK (size_bytes >= 0),
  CONSTRAINT documents_kind CHECK (kind BETWEEN 1 AND 5)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A document's content in order, `chunk` 0, 1, ...: at most 256 KiB each,
-- so that neither an upload nor a download holds a file whole.
CREATE TABLE document_chunks (
  document_seq BIGINT NOT NULL,
  chunk INT NOT NULL,
  data MEDIUMBLOB NOT NULL,
  PRIMARY KEY (document_seq, chunk),
  CONSTRAINT document_chunks_document FOREIGN KEY (document_seq)
    REFERENCES documents (seq)
) ENGINE=InnoDB;
