-- lianxin's schema. Why it looks the way it does:
-- * Every tenant-owned table starts its primary key with tenant_id, and every foreign key
--   between tenant-owned tables carries tenant_id too. A row therefore cannot point into
--   another township, and the tables can be distributed by tenant_id (Citus) unchanged.
-- * Enumerations are text with CHECK constraints: readable in psql and exports, and a new
--   value is a constraint change rather than a type rewrite.
-- * History is kept in its own tables (leader_assignments, household_moves, issue_events,
--   audit_log) instead of overwriting columns.

CREATE TABLE tenants (
    id                  uuid PRIMARY KEY,
    code                text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9-]{1,31}$'),
    name                text NOT NULL,
    timezone            text NOT NULL DEFAULT 'Asia/Shanghai',
    visit_interval_days integer NOT NULL DEFAULT 7 CHECK (visit_interval_days BETWEEN 1 AND 365),
    created_at          timestamptz NOT NULL DEFAULT now()
);

-- City operators. They own no tenant data, so they live apart from the tenants' users.
CREATE TABLE platform_admins (
    id            uuid PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    display_name  text NOT NULL,
    password_hash text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    token_version integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE grids (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL,
    name       text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('village', 'enterprise')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE users (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    username      text NOT NULL,
    display_name  text NOT NULL,
    role          text NOT NULL CHECK (role IN ('tenant_admin', 'supervisor', 'leader')),
    phone         text,
    -- A supervisor's scope: one grid, or the whole township when null.
    grid_id       uuid,
    password_hash text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    -- Bumped on password change and deactivation; access tokens carry it, so bumping it
    -- revokes every live token of the user at once.
    token_version integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, username),
    FOREIGN KEY (tenant_id, grid_id) REFERENCES grids (tenant_id, id)
);

CREATE TABLE micro_grids (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL,
    grid_id    uuid NOT NULL,
    name       text NOT NULL,
    -- The micro-grid's messaging (WeChat) group; null when it has none.
    group_name text,
    -- The current leader (定亲). Denormalised from leader_assignments for fast scope checks;
    -- both are written in one transaction.
    leader_id  uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    -- Unique in the township: rosters and imports name micro-grids, not ids.
    UNIQUE (tenant_id, name),
    FOREIGN KEY (tenant_id, grid_id) REFERENCES grids (tenant_id, id),
    FOREIGN KEY (tenant_id, leader_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX micro_grids_grid ON micro_grids (tenant_id, grid_id);
CREATE INDEX micro_grids_leader ON micro_grids (tenant_id, leader_id) WHERE leader_id IS NOT NULL;

CREATE TABLE leader_assignments (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL,
    micro_grid_id uuid NOT NULL,
    user_id       uuid NOT NULL,
    from_at       timestamptz NOT NULL DEFAULT now(),
    to_at         timestamptz,
    assigned_by   uuid,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, micro_grid_id) REFERENCES micro_grids (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
-- At most one open assignment per micro-grid.
CREATE UNIQUE INDEX leader_assignments_current
    ON leader_assignments (tenant_id, micro_grid_id) WHERE to_at IS NULL;
CREATE INDEX leader_assignments_history ON leader_assignments (tenant_id, micro_grid_id, from_at);

CREATE TABLE households (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL,
    micro_grid_id   uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('village', 'resident', 'enterprise')),
    name            text NOT NULL,
    address         text NOT NULL,
    phone           text,
    id_number       text,
    members         integer CHECK (members BETWEEN 1 AND 99),
    tags            text[] NOT NULL DEFAULT '{}',
    note            text,
    acquainted_at   timestamptz,
    in_group        boolean NOT NULL DEFAULT false,
    -- Kept current by every visit insert, so the due list never scans visits.
    last_visited_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, micro_grid_id) REFERENCES micro_grids (tenant_id, id)
);
-- The due list: a leader's micro-grids, never visited first, then longest unvisited.
CREATE INDEX households_due ON households (tenant_id, micro_grid_id, last_visited_at NULLS FIRST, id);
CREATE INDEX households_tags ON households USING gin (tags);

CREATE TABLE household_moves (
    tenant_id          uuid NOT NULL,
    id                 uuid NOT NULL,
    household_id       uuid NOT NULL,
    from_micro_grid_id uuid NOT NULL,
    to_micro_grid_id   uuid NOT NULL,
    moved_at           timestamptz NOT NULL DEFAULT now(),
    moved_by           uuid,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, household_id) REFERENCES households (tenant_id, id),
    FOREIGN KEY (tenant_id, from_micro_grid_id) REFERENCES micro_grids (tenant_id, id),
    FOREIGN KEY (tenant_id, to_micro_grid_id) REFERENCES micro_grids (tenant_id, id)
);
CREATE INDEX household_moves_household ON household_moves (tenant_id, household_id, moved_at);

CREATE TABLE visits (
    tenant_id     uuid NOT NULL,
    -- Made by the phone (UUID v7), so a retried upload is recognised by its id.
    id            uuid NOT NULL,
    household_id  uuid NOT NULL,
    -- The household's micro-grid at the time of the visit: statistics follow the work as
    -- it was done, even after the household moves.
    micro_grid_id uuid NOT NULL,
    leader_id     uuid NOT NULL,
    visited_at    timestamptz NOT NULL,
    method        text NOT NULL CHECK (method IN ('door', 'phone', 'group', 'other')),
    summary       text NOT NULL,
    acquainted    boolean NOT NULL DEFAULT false,
    joined_group  boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, household_id) REFERENCES households (tenant_id, id),
    FOREIGN KEY (tenant_id, micro_grid_id) REFERENCES micro_grids (tenant_id, id),
    FOREIGN KEY (tenant_id, leader_id) REFERENCES users (tenant_id, id)
);
-- The dossier's newest visits.
CREATE INDEX visits_household ON visits (tenant_id, household_id, visited_at DESC);
-- Range statistics read only the range, and only this index.
CREATE INDEX visits_time ON visits (tenant_id, visited_at) INCLUDE (household_id, micro_grid_id, leader_id);
CREATE INDEX visits_micro_grid ON visits (tenant_id, micro_grid_id, visited_at DESC);
CREATE INDEX visits_leader ON visits (tenant_id, leader_id, visited_at DESC);

CREATE TABLE issues (
    tenant_id        uuid NOT NULL,
    id               uuid NOT NULL,
    household_id     uuid NOT NULL,
    micro_grid_id    uuid NOT NULL,
    visit_id         uuid,
    category         text NOT NULL CHECK (category IN ('road', 'housing', 'land', 'welfare', 'other')),
    description      text NOT NULL,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'escalated', 'resolved')),
    raised_by        uuid NOT NULL,
    raised_at        timestamptz NOT NULL DEFAULT now(),
    resolved_at      timestamptz,
    resolution       text,
    satisfied        boolean,
    feedback_comment text,
    feedback_at      timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, household_id) REFERENCES households (tenant_id, id),
    FOREIGN KEY (tenant_id, micro_grid_id) REFERENCES micro_grids (tenant_id, id),
    FOREIGN KEY (tenant_id, visit_id) REFERENCES visits (tenant_id, id),
    FOREIGN KEY (tenant_id, raised_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX issues_household ON issues (tenant_id, household_id, raised_at DESC);
CREATE INDEX issues_status ON issues (tenant_id, status, raised_at DESC);
CREATE INDEX issues_raised ON issues (tenant_id, raised_at);
CREATE INDEX issues_resolved ON issues (tenant_id, resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX issues_micro_grid ON issues (tenant_id, micro_grid_id, raised_at DESC);

CREATE TABLE issue_events (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL,
    issue_id    uuid NOT NULL,
    action      text NOT NULL CHECK (action IN ('raise', 'escalate', 'resolve', 'reopen', 'feedback')),
    from_status text,
    to_status   text NOT NULL,
    actor_id    uuid NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    note        text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, issue_id) REFERENCES issues (tenant_id, id)
);
CREATE INDEX issue_events_issue ON issue_events (tenant_id, issue_id, at);

-- Refresh tokens, stored as SHA-256 hashes. A chain is one login's line of rotated tokens:
-- presenting a spent token revokes the whole chain (the token was stolen or replayed).
-- tenant_id is null for platform admins.
CREATE TABLE refresh_tokens (
    token_hash  bytea PRIMARY KEY,
    chain_id    uuid NOT NULL,
    tenant_id   uuid REFERENCES tenants (id),
    user_id     uuid NOT NULL,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    spent_at    timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_chain ON refresh_tokens (chain_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- Every write and every export. Append-only: the service's role gets INSERT and SELECT only.
CREATE TABLE audit_log (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id        uuid NOT NULL,
    at        timestamptz NOT NULL DEFAULT now(),
    actor_id  uuid,
    action    text NOT NULL,
    entity    text NOT NULL,
    entity_id uuid,
    ip        text,
    detail    jsonb,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_at ON audit_log (tenant_id, at DESC);
CREATE INDEX audit_log_actor ON audit_log (tenant_id, actor_id, at DESC);
