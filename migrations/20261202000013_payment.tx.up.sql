-- 缴费 (LIFECYCLE §4, payment when the plan charges). A registration records the 缴费通知 it was sent (the 批号
-- JFTZ… and when), so that a notice goes to each 审核通过 registration once and the applicant sees 待缴费.
ALTER TABLE registrations ADD COLUMN payment_notice_no TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE registrations ADD COLUMN payment_noticed_at {{.Time}};
--bun:split
-- 已缴费则不能删除: whatever path a DELETE takes (the app's, a script's, a console), the database refuses to delete a
-- registration that was paid (paid_at) or has a payment recorded. A payment row is never deleted either.
{{if .Postgres}}
CREATE FUNCTION registrations_paid_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.paid_at IS NOT NULL OR EXISTS (SELECT 1 FROM payments WHERE registration_id = OLD.id) THEN
        RAISE EXCEPTION 'paid registration cannot be deleted' USING ERRCODE = 'check_violation';
    END IF;
    RETURN OLD;
END
$$;
--bun:split
CREATE TRIGGER registrations_paid_kept BEFORE DELETE ON registrations FOR EACH ROW EXECUTE FUNCTION registrations_paid_kept();
--bun:split
CREATE FUNCTION payments_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'paid registration cannot be deleted' USING ERRCODE = 'check_violation';
END
$$;
--bun:split
CREATE TRIGGER payments_kept BEFORE DELETE ON payments FOR EACH ROW EXECUTE FUNCTION payments_kept();
{{else}}
CREATE TRIGGER registrations_paid_kept BEFORE DELETE ON registrations
    WHEN OLD.paid_at IS NOT NULL OR EXISTS (SELECT 1 FROM payments WHERE registration_id = OLD.id)
BEGIN
    SELECT RAISE(ABORT, 'paid registration cannot be deleted');
END;
--bun:split
CREATE TRIGGER payments_kept BEFORE DELETE ON payments
BEGIN
    SELECT RAISE(ABORT, 'paid registration cannot be deleted');
END;
{{end}}
--bun:split
-- The 缴费管理 list and the 视为放弃 job read a plan's registrations by status; payments by plan for the paid list.
CREATE INDEX payments_batch ON payments (batch_no);
