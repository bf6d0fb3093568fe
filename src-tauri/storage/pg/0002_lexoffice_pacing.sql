-- One lexoffice budget for every seat (docs/database.md › lexoffice pacing):
-- the next moment a request may go out, by the server's clock. Each request
-- takes its turn with one UPDATE … RETURNING; a 429 pushes the moment on.
CREATE TABLE lexoffice_pacing (
    id integer PRIMARY KEY CHECK (id = 1),
    next_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO lexoffice_pacing (id) VALUES (1);
