-- 缺考率 (统计) counts a ticket absent when a score of its registration is 缺考, as the 缺考 rule does: this partial
-- index holds just those registrations, so the few are found without reading every score.
CREATE INDEX scores_absent ON scores (registration_id) WHERE situation = '缺考';
