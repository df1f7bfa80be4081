{{if .Postgres}}
CREATE OR REPLACE FUNCTION plan_seats_move(p_plan bigint, n int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r record;
    d int;
    s smallint;
BEGIN
    IF abs(n) = 1 THEN
        LOOP
            UPDATE plan_seats t SET taken = t.taken + n FROM (
                SELECT stripe FROM plan_seats
                WHERE plan_id = p_plan AND CASE WHEN n > 0 THEN quota IS NULL OR taken < quota ELSE taken > 0 END
                ORDER BY (stripe + pg_backend_pid()) % 16 LIMIT 1 FOR UPDATE SKIP LOCKED) c
            WHERE t.plan_id = p_plan AND t.stripe = c.stripe;
            IF FOUND THEN
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

{{end}}
