-- plan_seats_move took one place with a single UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1): PostgreSQL
-- ran that subquery again for each of the plan's 16 stripes (the inner side of a nested loop), and each run locked
-- the first stripe free at that moment. Under load one registration could so lock two stripes and add its place to
-- both (the load test's plans counted 3,638 places for 3,486 registrations, so a plan would have said 名额已满
-- early), or lock two, update none and then wait for a third while holding them: deadlocks at 64 clients.
-- Now the stripe is chosen and locked once (SELECT … FOR UPDATE SKIP LOCKED INTO), then updated by its key. The
-- places counted so far are counted again from the registrations.
{{if .Postgres}}
CREATE OR REPLACE FUNCTION plan_seats_move(p_plan bigint, n int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r record;
    d int;
    s smallint;
BEGIN
    IF abs(n) = 1 THEN
        LOOP
            SELECT stripe INTO s FROM plan_seats
                WHERE plan_id = p_plan AND CASE WHEN n > 0 THEN quota IS NULL OR taken < quota ELSE taken > 0 END
                ORDER BY (stripe + pg_backend_pid()) % 16 LIMIT 1 FOR UPDATE SKIP LOCKED;
            IF FOUND THEN
                UPDATE plan_seats SET taken = taken + n WHERE plan_id = p_plan AND stripe = s;
                RETURN;
            END IF;
            SELECT stripe INTO s FROM plan_seats
                WHERE plan_id = p_plan AND CASE WHEN n > 0 THEN quota IS NULL OR taken < quota ELSE taken > 0 END
                ORDER BY (stripe + pg_backend_pid()) % 16 LIMIT 1;
            EXIT WHEN NOT FOUND;
            UPDATE plan_seats SET taken = taken + n
                WHERE plan_id = p_plan AND stripe = s AND CASE WHEN n > 0 THEN quota IS NULL OR taken < quota ELSE taken > 0 END;
            IF FOUND THEN
                RETURN;
            END IF;
        END LOOP;
    ELSE
        PERFORM 1 FROM plan_seats WHERE plan_id = p_plan ORDER BY stripe FOR UPDATE;
        FOR r IN SELECT stripe, taken, quota FROM plan_seats WHERE plan_id = p_plan ORDER BY stripe LOOP
            EXIT WHEN n = 0;
            d := CASE WHEN n < 0 THEN -LEAST(-n, r.taken) WHEN r.quota IS NULL THEN n ELSE LEAST(n, r.quota - r.taken) END;
            IF d <> 0 THEN
                UPDATE plan_seats SET taken = taken + d WHERE plan_id = p_plan AND stripe = r.stripe;
                n := n - d;
            END IF;
        END LOOP;
    END IF;
    IF n > 0 THEN
        RAISE EXCEPTION 'exam plan is full';
    ELSIF n < 0 THEN
        RAISE EXCEPTION 'exam plan seats out of step';
    END IF;
END
$$;

--bun:split
UPDATE plan_seats SET taken = 0, quota = NULL;
--bun:split
UPDATE plan_seats s SET taken = c.n FROM (
    SELECT plan_id, COUNT(*)::int AS n FROM registrations WHERE status NOT IN ('withdrawn', 'forfeited') GROUP BY plan_id) c
WHERE s.plan_id = c.plan_id AND s.stripe = 0;
--bun:split
SELECT plan_seats_spread(p.id, p.capacity) FROM exam_plans p
WHERE p.capacity > 0 AND (SELECT COALESCE(SUM(taken), 0) FROM plan_seats s WHERE s.plan_id = p.id) <= p.capacity;
--bun:split
-- (A plan holding more than its capacity, which no path allows, keeps no room rather than becoming unlimited.)
UPDATE plan_seats SET quota = taken WHERE quota IS NULL AND plan_id IN (SELECT id FROM exam_plans WHERE capacity > 0);
{{end}}
