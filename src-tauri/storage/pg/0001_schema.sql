-- Zeitrechnung on PostgreSQL, schema 1 (docs/database.md explains every table).
-- Typed columns for what an office's IT may want to read with SELECT; `details`
-- (jsonb) holds the rest of a record that is settings-like (rules, invoice
-- style, tax notes, what lexoffice last said), never what the constraints need.

-- One id space for every record, as on sled; a restore raises it above its ids.
CREATE SEQUENCE record_ids START 1;

-- Settings-like documents: the settings proper and the Leistungskatalog.
CREATE TABLE settings_documents (
    name text PRIMARY KEY CHECK (name IN ('settings', 'catalog')),
    doc jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE roles (
    id bigint PRIMARY KEY,
    position integer NOT NULL,
    name text NOT NULL,
    hourly_rate numeric,
    details jsonb NOT NULL DEFAULT '{}'
);

CREATE TABLE employees (
    id bigint PRIMARY KEY,
    position integer NOT NULL,
    name text NOT NULL,
    role_id bigint,
    hourly_rate numeric,
    active boolean NOT NULL,
    details jsonb NOT NULL DEFAULT '{}'
);

CREATE TABLE customers (
    id bigint PRIMARY KEY,
    -- One customer per lexoffice contact.
    lexoffice_id text UNIQUE,
    number text NOT NULL,
    kind text NOT NULL,
    name text NOT NULL,
    contact_person text NOT NULL,
    street text NOT NULL,
    supplement text NOT NULL,
    zip text NOT NULL,
    city text NOT NULL,
    country_code text NOT NULL,
    email text NOT NULL,
    phone text NOT NULL,
    archived boolean NOT NULL,
    source text NOT NULL,
    hourly_rate numeric,
    vat_id text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    details jsonb NOT NULL DEFAULT '{}'
);

CREATE TABLE projects (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    number text NOT NULL,
    -- A project never points at a missing customer or main project (checked at
    -- COMMIT, so a restore may write them in any order).
    customer_id bigint REFERENCES customers (id) DEFERRABLE INITIALLY DEFERRED,
    parent_id bigint REFERENCES projects (id) DEFERRABLE INITIALLY DEFERRED,
    hourly_rate numeric,
    tax_case text,
    status text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    details jsonb NOT NULL DEFAULT '{}'
);

-- Times and services in one table (one id space, one list per project);
-- `type` says which columns a row fills.
CREATE TABLE entries (
    id bigint PRIMARY KEY,
    project_id bigint NOT NULL REFERENCES projects (id) DEFERRABLE INITIALLY DEFERRED,
    date date NOT NULL,
    type text NOT NULL CHECK (type IN ('time', 'service')),
    description text NOT NULL,
    billable boolean NOT NULL,
    -- open, reserved (by attempt `billing_attempt`), billed (by draft `billing_invoice`)
    billing_state text NOT NULL CHECK (billing_state IN ('open', 'reserved', 'billed')),
    billing_attempt text,
    billing_invoice text,
    -- a time
    employee text,
    employee_id bigint,
    start_time time,
    end_time time,
    break_minutes integer,
    minutes integer,
    -- a service
    name text,
    quantity numeric,
    unit text,
    unit_price numeric,
    tax_rate numeric,
    art text,
    -- A CSV row is imported once (the row's fingerprint, a 64-bit hash).
    csv_fingerprint bigint UNIQUE,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX entries_by_project_and_date ON entries (project_id, date, id);

-- Invoice attempts and the lexoffice drafts they became.
CREATE TABLE invoices (
    id bigint PRIMARY KEY,
    project_id bigint NOT NULL,
    contact_id text NOT NULL,
    -- A draft is adopted by one live attempt only (released ones are history).
    lexoffice_id text,
    -- pending, unclear, created, released
    state text NOT NULL CHECK (state IN ('pending', 'unclear', 'created', 'released')),
    state_reason text,
    period_from date NOT NULL,
    period_to date NOT NULL,
    -- NULL: not known (a record a repair of a backup added).
    net numeric,
    gross numeric,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    details jsonb NOT NULL DEFAULT '{}'
);

CREATE UNIQUE INDEX a_draft_on_one_live_attempt ON invoices (lexoffice_id) WHERE state <> 'released';

-- The entries of each attempt, in its order. `live` while the attempt is not
-- released: an entry is on one live attempt at most.
CREATE TABLE invoice_entries (
    invoice_id bigint NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position integer NOT NULL,
    entry_id bigint NOT NULL,
    live boolean NOT NULL,
    PRIMARY KEY (invoice_id, position)
);
CREATE UNIQUE INDEX an_entry_on_one_live_attempt ON invoice_entries (entry_id) WHERE live;
