-- Tables every kyodo service keeps in its own database.

-- AIP-155 request ids: the first response to a request_id, written in the
-- same transaction as the change it describes.
CREATE TABLE request_ids (
  request_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  principal VARCHAR(255) NOT NULL,
  method VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  request_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  response LONGTEXT CHARACTER SET ascii COLLATE ascii_bin NULL,  -- base64
  create_time DATETIME(6) NOT NULL,
  PRIMARY KEY (request_id),
  KEY request_ids_by_time (create_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The audit trail (公開性・透明性): who changed what, when, before and after.
CREATE TABLE audit_events (
  id BIGINT NOT NULL AUTO_INCREMENT,
  resource VARCHAR(300) NOT NULL,
  method VARCHAR(100) NOT NULL,
  actor VARCHAR(255) NOT NULL,
  actor_role VARCHAR(32) NOT NULL,
  request_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  call_id VARCHAR(64) NOT NULL,
  event_time DATETIME(6) NOT NULL,
  changes LONGTEXT NOT NULL CHECK (JSON_VALID(changes)),
  PRIMARY KEY (id),
  KEY audit_events_by_resource (resource, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
