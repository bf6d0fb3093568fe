-- Seats in step (docs/database.md › Seats in step): one row that says whether
-- the seats may still write. A seat connects with `zeitrechnung.schema` set to
-- the migrations it knows; before each writing statement on the firm's tables
-- a trigger refuses it when
--   * `retired_at` is set: a seat chose „Zurück zu Einzelplatz“ and took the
--     data to its PC (SQLSTATE ZR002, the message names that PC), or
--   * the seat knows fewer migrations than `min_schema`: a newer Zeitrechnung
--     changed the tables in a way older seats must not write to (ZR001). A
--     migration that does so raises `min_schema` to its own number.
-- Clients that set no `zeitrechnung.schema` (psql of the office's IT) are let
-- through.
CREATE TABLE seats_in_step (
    id          integer PRIMARY KEY CHECK (id = 1),
    min_schema  integer NOT NULL,
    retired_at  timestamptz,
    retired_by  text
);
INSERT INTO seats_in_step (id, min_schema) VALUES (1, 0);

CREATE FUNCTION zeitrechnung_may_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    knows text := current_setting('zeitrechnung.schema', true);
    s seats_in_step;
BEGIN
    IF knows IS NULL OR knows = '' THEN
        RETURN NULL;
    END IF;
    -- Shared: retiring (an UPDATE of this row) waits until every transaction
    -- that wrote before it has ended, so a copy taken after it holds them all.
    SELECT * INTO s FROM seats_in_step WHERE id = 1 FOR SHARE;
    IF s.retired_at IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'ZR002', MESSAGE = coalesce(s.retired_by, '');
    END IF;
    IF knows::integer < s.min_schema THEN
        RAISE EXCEPTION USING ERRCODE = 'ZR001', MESSAGE = s.min_schema::text;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER customers_may_write BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON customers
    FOR EACH STATEMENT EXECUTE FUNCTION zeitrechnung_may_write();
CREATE TRIGGER projects_may_write BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON projects
    FOR EACH STATEMENT EXECUTE FUNCTION zeitrechnung_may_write();
CREATE TRIGGER entries_may_write BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION zeitrechnung_may_write();
CREATE TRIGGER invoices_may_write BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON invoices
    FOR EACH STATEMENT EXECUTE FUNCTION zeitrechnung_may_write();
CREATE TRIGGER invoice_entries_may_write BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON invoice_entries
    FOR EACH STATEMENT EXECUTE FUNCTION zeitrechnung_may_write();
CREATE TRIGGER settings_may_write BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON settings_documents
    FOR EACH STATEMENT EXECUTE FUNCTION zeitrechnung_may_write();
CREATE TRIGGER employees_may_write BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON employees
    FOR EACH STATEMENT EXECUTE FUNCTION zeitrechnung_may_write();
CREATE TRIGGER roles_may_write BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON roles
    FOR EACH STATEMENT EXECUTE FUNCTION zeitrechnung_may_write();
