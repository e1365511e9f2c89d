-- The change feed (outbox): domain events written in the same transaction as
-- the change they describe (common/events/outbox.h), read by ListEvents and
-- WatchEvents, and deleted after the retention period (docs/OPERATIONS.md,
-- "The change feed").

-- Ids come from event_sequence, not AUTO_INCREMENT: a transaction takes its
-- ids by updating the one row, whose lock it holds until it commits, so
-- events commit in id order and a reader that has seen id n can never later
-- find a committed event below n.
CREATE TABLE events (
  id BIGINT NOT NULL,
  -- The service's Event.Type number (e.g. kyodo.proposal.v1.Event.Type).
  type_number INT NOT NULL,
  -- The resource the event is about, e.g. `programmes/p/calls/c/proposals/x`.
  resource VARCHAR(300) NOT NULL,
  -- The record whose permissions decide who reads the event (for
  -- proposal-service: the call), and its state when the event happened.
  scope VARCHAR(300) NOT NULL,
  scope_state INT NOT NULL,
  event_time DATETIME(6) NOT NULL,
  -- The resource as it was after the change: the binary protobuf, base64.
  snapshot LONGTEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (id),
  KEY events_by_resource (resource, id),
  KEY events_by_time (event_time),
  CONSTRAINT events_id_positive CHECK (id > 0),
  CONSTRAINT events_type_given CHECK (type_number > 0),
  CONSTRAINT events_resource_given CHECK (resource <> '')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE event_sequence (
  one TINYINT NOT NULL,
  -- The last id handed out.
  last_id BIGINT NOT NULL,
  -- Every event with an id up to this one was deleted by the retention
  -- (a cursor below it has lost events: FAILED_PRECONDITION).
  deleted_through BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (one),
  CONSTRAINT event_sequence_one_row CHECK (one = 1),
  CONSTRAINT event_sequence_order CHECK (deleted_through <= last_id)
) ENGINE=InnoDB;

INSERT INTO event_sequence (one, last_id, deleted_through) VALUES (1, 0, 0);
