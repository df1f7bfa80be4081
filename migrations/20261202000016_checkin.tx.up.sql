-- 签到 on exam day: 缺考 is marked per room after the exam in one batch action; each ticket so marked keeps the
-- batch's 批号 (QKBJ…), so the marking can be traced from the ticket as well as from the audit row.
ALTER TABLE tickets ADD COLUMN absent_batch_no TEXT NOT NULL DEFAULT '';
