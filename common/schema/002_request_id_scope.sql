-- Request ids are scoped to the caller and the method (docs/RELIABILITY.md,
-- issue 13): one caller's id never collides with another's, so no caller can
-- claim an id another (or the gateway, for its own steps) will use, nor read
-- another's stored answer.
ALTER TABLE request_ids DROP PRIMARY KEY,
  ADD PRIMARY KEY (principal, method, request_id);
