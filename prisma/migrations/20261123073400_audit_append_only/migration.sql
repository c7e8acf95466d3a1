-- The audit log is append-only: updates and deletes of its rows are silently discarded.
-- (Rules rather than a PL/pgSQL trigger: the migration runner splits statements on semicolons.)
CREATE RULE "AuditLog_no_update" AS ON UPDATE TO "AuditLog" DO INSTEAD NOTHING;
CREATE RULE "AuditLog_no_delete" AS ON DELETE TO "AuditLog" DO INSTEAD NOTHING;
