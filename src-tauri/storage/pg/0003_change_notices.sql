-- What one seat changed, told to the others (docs/database.md › Other seats'
-- changes): after each statement that writes one of these tables, a notice on
-- the channel `zeitrechnung` with the table and the writing seat's
-- application_name („Zeitrechnung <seat>“). PostgreSQL delivers it at COMMIT
-- (and never for a rolled-back change); the seats LISTEN.
CREATE FUNCTION zeitrechnung_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('zeitrechnung', TG_TABLE_NAME || ' ' || coalesce(current_setting('application_name', true), ''));
    RETURN NULL;
END
$$;

CREATE TRIGGER customers_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON customers
    FOR EACH STATEMENT EXECUTE FUNCTION zeitrechnung_changed();
CREATE TRIGGER projects_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON projects
    FOR EACH STATEMENT EXECUTE FUNCTION zeitrechnung_changed();
CREATE TRIGGER entries_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION zeitrechnung_changed();
CREATE TRIGGER invoices_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON invoices
    FOR EACH STATEMENT EXECUTE FUNCTION zeitrechnung_changed();
CREATE TRIGGER settings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON settings_documents
    FOR EACH STATEMENT EXECUTE FUNCTION zeitrechnung_changed();
CREATE TRIGGER employees_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON employees
    FOR EACH STATEMENT EXECUTE FUNCTION zeitrechnung_changed();
CREATE TRIGGER roles_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON roles
    FOR EACH STATEMENT EXECUTE FUNCTION zeitrechnung_changed();
