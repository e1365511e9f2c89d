-- The notifier's own records (notifier/mail_store.h): where it is in the
-- feed it follows, and every mail it made, one per event and recipient.
-- A mail is written in the same transaction as the position past its
-- event, so a restart neither loses an event's mails nor makes them twice.

CREATE TABLE feed_positions (
  -- The feed followed: "proposal" (proposal-service's change feed).
  feed VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  -- The cursor of the last event handled (Event.cursor).
  after_cursor VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  update_time DATETIME(6) NOT NULL,
  PRIMARY KEY (feed)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE mails (
  seq BIGINT NOT NULL AUTO_INCREMENT,
  feed VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  event_cursor VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  -- The address, lower-cased (common::IsMailAddress: ASCII only).
  recipient VARCHAR(254) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  -- The event type, e.g. PROPOSAL_SCREENED.
  kind VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  -- The proposal or call the event is about.
  resource VARCHAR(300) NOT NULL,
  message_id VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  -- The whole RFC 5322 message (notifier/mail.h: 7-bit ASCII).
  message MEDIUMTEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  -- PENDING: to send at next_attempt_time; SENDING: handed to the mail
  -- server, not yet known to have been taken; SENT; FAILED: refused for
  -- good or out of attempts; UNCERTAIN: the notifier stopped while
  -- SENDING, so the mail may or may not have gone out: never sent again
  -- (at most one mail per event and recipient), counted and logged.
  state ENUM('PENDING', 'SENDING', 'SENT', 'FAILED', 'UNCERTAIN') NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_time DATETIME(6) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  sent_time DATETIME(6) NULL,
  -- What the mail server (or the connection) said last; no address in it.
  last_error VARCHAR(500) NULL,
  PRIMARY KEY (seq),
  UNIQUE KEY mails_once (feed, event_cursor, recipient),
  KEY mails_due (state, next_attempt_time),
  KEY mails_by_time (create_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
