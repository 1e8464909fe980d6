-- Tax-free confirmation of imported equipment (SPEC §3): an application for a project
-- lists items; the authority decides within seven working days, approving with a
-- confirmation number or rejecting with reasons.

CREATE TABLE equipment_confirmations (
    id {{id}},
    project_id BIGINT NOT NULL REFERENCES projects (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected')),
    encouraged_category TEXT NOT NULL,
    -- The attached documents' names, as a JSON array of strings.
    documents_json TEXT NOT NULL,
    submitted_on TEXT,
    due_on TEXT,
    decided_on TEXT,
    confirmation_number TEXT UNIQUE,
    rejection_reasons TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((status = 'approved') = (confirmation_number IS NOT NULL)),
    CHECK (status <> 'rejected' OR rejection_reasons IS NOT NULL),
    CHECK (status = 'draft' OR (submitted_on IS NOT NULL AND due_on IS NOT NULL))
);
CREATE INDEX equipment_confirmations_project ON equipment_confirmations (project_id);

CREATE TABLE equipment_items (
    confirmation_id BIGINT NOT NULL REFERENCES equipment_confirmations (id) ON DELETE CASCADE,
    line BIGINT NOT NULL CHECK (line >= 1),
    name TEXT NOT NULL,
    model TEXT,
    hs_code TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity >= 1),
    unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor >= 0),
    currency TEXT NOT NULL REFERENCES currencies (code),
    total_minor BIGINT NOT NULL,
    PRIMARY KEY (confirmation_id, line),
    CHECK (total_minor = quantity * unit_price_minor)
);
