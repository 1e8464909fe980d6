-- Foundation: reference data, enterprises, users and access, audit chain.
-- Written once for SQLite and PostgreSQL; {{id}} is an auto-assigned BIGINT key.
-- Money: BIGINT minor units. Dates: 'YYYY-MM-DD' text. Instants: RFC 3339 UTC text.

CREATE TABLE regions (
    code TEXT PRIMARY KEY CHECK (length(code) = 6),
    name_zh TEXT NOT NULL,
    name_en TEXT,
    level TEXT NOT NULL CHECK (level IN ('province', 'city', 'county')),
    parent_code TEXT REFERENCES regions (code)
);
CREATE INDEX regions_parent ON regions (parent_code);

-- Every region with each of its ancestors, itself included at depth 0: scope checks
-- and roll-ups ask "is X under Y" with one indexed lookup.
CREATE TABLE region_ancestors (
    region_code TEXT NOT NULL REFERENCES regions (code),
    ancestor_code TEXT NOT NULL REFERENCES regions (code),
    depth BIGINT NOT NULL CHECK (depth >= 0),
    PRIMARY KEY (region_code, ancestor_code)
);
CREATE INDEX region_ancestors_ancestor ON region_ancestors (ancestor_code, region_code);

CREATE TABLE region_groups (
    code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT
);

CREATE TABLE region_group_members (
    group_code TEXT NOT NULL REFERENCES region_groups (code),
    region_code TEXT NOT NULL REFERENCES regions (code),
    PRIMARY KEY (group_code, region_code)
);

CREATE TABLE industries (
    edition TEXT NOT NULL,
    code TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('section', 'division', 'group', 'class')),
    parent_code TEXT,
    name_zh TEXT NOT NULL,
    name_en TEXT,
    PRIMARY KEY (edition, code)
);
CREATE INDEX industries_parent ON industries (edition, parent_code);

CREATE TABLE parks (
    id {{id}},
    name_zh TEXT NOT NULL,
    name_en TEXT,
    region_code TEXT NOT NULL REFERENCES regions (code),
    level TEXT NOT NULL CHECK (level IN ('national', 'provincial', 'other')),
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (region_code, name_zh)
);

CREATE TABLE cluster_taxonomies (
    id {{id}},
    code TEXT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    region_code TEXT NOT NULL REFERENCES regions (code),
    name_zh TEXT NOT NULL,
    name_en TEXT,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    UNIQUE (code, version),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);

CREATE TABLE clusters (
    id {{id}},
    taxonomy_id BIGINT NOT NULL REFERENCES cluster_taxonomies (id),
    code TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT,
    UNIQUE (taxonomy_id, code)
);

-- A cluster covers industry codes by prefix ("36" = all of division 36).
CREATE TABLE cluster_industries (
    cluster_id BIGINT NOT NULL REFERENCES clusters (id),
    industry_prefix TEXT NOT NULL,
    PRIMARY KEY (cluster_id, industry_prefix)
);

CREATE TABLE enterprise_tags (
    code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE currencies (
    code TEXT PRIMARY KEY CHECK (length(code) = 3),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
);

-- rate: CNY for one unit of the currency on rate_date, as exact decimal text.
CREATE TABLE exchange_rates (
    currency_code TEXT NOT NULL REFERENCES currencies (code),
    rate_date TEXT NOT NULL,
    rate TEXT NOT NULL,
    source TEXT,
    PRIMARY KEY (currency_code, rate_date)
);

CREATE TABLE organizations (
    id {{id}},
    kind TEXT NOT NULL CHECK (kind IN ('bank', 'fund', 'guarantor', 'leasing', 'fund_manager',
        'service_provider', 'clearing_participant')),
    name_zh TEXT NOT NULL,
    name_en TEXT,
    region_code TEXT NOT NULL REFERENCES regions (code),
    UNIQUE (kind, name_zh)
);

CREATE TABLE enterprises (
    id {{id}},
    credit_code TEXT NOT NULL UNIQUE CHECK (length(credit_code) = 18),
    credit_code_override_reason TEXT,
    name_zh TEXT NOT NULL,
    name_en TEXT,
    region_code TEXT NOT NULL REFERENCES regions (code),
    address TEXT,
    industry_edition TEXT,
    industry_code TEXT,
    registered_capital_minor BIGINT CHECK (registered_capital_minor >= 0),
    registered_capital_currency TEXT NOT NULL REFERENCES currencies (code),
    established_on TEXT,
    ownership TEXT CHECK (ownership IN ('state', 'private', 'foreign', 'hk_macao_taiwan', 'mixed')),
    size TEXT CHECK (size IN ('large', 'medium', 'small', 'micro')),
    listed BIGINT NOT NULL DEFAULT 0 CHECK (listed IN (0, 1)),
    contact_name TEXT,
    contact_phone TEXT,
    contact_email TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (industry_edition, industry_code) REFERENCES industries (edition, code),
    CHECK ((industry_code IS NULL) = (industry_edition IS NULL))
);
CREATE INDEX enterprises_region ON enterprises (region_code);
CREATE INDEX enterprises_industry ON enterprises (industry_code);
CREATE INDEX enterprises_name ON enterprises (name_zh);

CREATE TABLE enterprise_tag_links (
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    tag_code TEXT NOT NULL REFERENCES enterprise_tags (code),
    PRIMARY KEY (enterprise_id, tag_code)
);

CREATE TABLE enterprise_figures (
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    year BIGINT NOT NULL CHECK (year BETWEEN 1949 AND 2200),
    revenue_minor BIGINT CHECK (revenue_minor >= 0),
    tax_minor BIGINT CHECK (tax_minor >= 0),
    employees BIGINT CHECK (employees >= 0),
    rnd_spending_minor BIGINT CHECK (rnd_spending_minor >= 0),
    PRIMARY KEY (enterprise_id, year)
);

CREATE TABLE users (
    id {{id}},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('administrator', 'city_analyst', 'district_officer',
        'enterprise_user', 'institution_user', 'fund_manager', 'service_provider', 'clearing_participant')),
    region_code TEXT REFERENCES regions (code),
    enterprise_id BIGINT REFERENCES enterprises (id),
    organization_id BIGINT REFERENCES organizations (id),
    disabled_at TEXT,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    -- The scope a role needs, and no other.
    CHECK (
        (role = 'administrator' AND region_code IS NULL AND enterprise_id IS NULL AND organization_id IS NULL)
        OR (role IN ('city_analyst', 'district_officer') AND region_code IS NOT NULL AND enterprise_id IS NULL AND organization_id IS NULL)
        OR (role = 'enterprise_user' AND enterprise_id IS NOT NULL AND region_code IS NULL AND organization_id IS NULL)
        OR (role IN ('institution_user', 'fund_manager', 'service_provider', 'clearing_participant')
            AND organization_id IS NOT NULL AND region_code IS NULL AND enterprise_id IS NULL)
    )
);

-- A session is known by the SHA-256 of its cookie value; the cookie itself is never stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id {{id}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'read_write')),
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
);

CREATE TABLE login_attempts (
    id {{id}},
    username TEXT NOT NULL,
    client TEXT NOT NULL,
    at TEXT NOT NULL,
    succeeded BIGINT NOT NULL CHECK (succeeded IN (0, 1))
);
CREATE INDEX login_attempts_username ON login_attempts (username, at);
CREATE INDEX login_attempts_client ON login_attempts (client, at);

-- Completed imports: what file, by whom, and what it changed.
CREATE TABLE imports (
    id {{id}},
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id),
    at TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    created_count BIGINT NOT NULL,
    updated_count BIGINT NOT NULL,
    unchanged_count BIGINT NOT NULL
);

-- The append-only, hash-chained audit log. hash = SHA-256 over prev_hash and the
-- record's fields (see bridgehead-store::audit); triggers refuse UPDATE and DELETE.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY CHECK (seq >= 1),
    at TEXT NOT NULL,
    actor_user_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_key);

-- The chain head. Updating this one row first serialises concurrent appenders on
-- both databases (a row lock on PostgreSQL, the write lock on SQLite).
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
