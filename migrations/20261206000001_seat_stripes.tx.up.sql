-- 名额 without a hot row. Counting a plan's places in exam_plans.seats_taken (migration 4) made every 报名表 of a
-- plan update the same row: at the registration peak all submits queued on that row's lock for the length of a
-- commit, and more clients only lengthened the queue (and the row's dead versions slowed every read of the plan).
--
-- A plan's places are now counted in stripes, plan_seats rows (16 on PostgreSQL, 1 on SQLite, whose writers take
-- turns anyway). The capacity is split among the stripes as quotas (NULL: no limit), and a stripe never holds more
-- than its quota (a CHECK), so the places taken, the sum of the stripes, never pass the capacity. A registration
-- takes a place from any stripe with room that nobody else holds at that moment (FOR UPDATE SKIP LOCKED); only when
-- there is none (the plan is nearly full, or a batch takes many) does it wait, taking the stripes in order. So
-- submits at the peak spread over 16 rows instead of queuing on one, and the count stays exact.
--
-- The same triggers as before keep the count, so no code path can forget it; a change of capacity spreads the
-- room left over the stripes again, and is refused below the places taken.
CREATE TABLE plan_seats (
    plan_id BIGINT NOT NULL REFERENCES exam_plans (id) ON DELETE CASCADE,
    stripe SMALLINT NOT NULL,
    taken INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0),
    quota INTEGER CHECK (quota IS NULL OR taken <= quota),
    PRIMARY KEY (plan_id, stripe)
){{if .Postgres}} WITH (fillfactor = 50){{end}};
--bun:split
{{if .Postgres}}
DROP TRIGGER registrations_seats_insert ON registrations;
--bun:split
DROP TRIGGER registrations_seats_delete ON registrations;
--bun:split
DROP TRIGGER registrations_seats_update ON registrations;
--bun:split
-- plan_seats_spread gives a plan's stripes their quotas: the room left (capacity − taken) shared out evenly.
CREATE FUNCTION plan_seats_spread(p_plan bigint, p_capacity int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    total int;
    room int;
BEGIN
    PERFORM 1 FROM plan_seats WHERE plan_id = p_plan ORDER BY stripe FOR UPDATE;
    IF p_capacity = 0 THEN
        UPDATE plan_seats SET quota = NULL WHERE plan_id = p_plan;
        RETURN;
    END IF;
    SELECT COALESCE(SUM(taken), 0) INTO total FROM plan_seats WHERE plan_id = p_plan;
    IF total > p_capacity THEN
        RAISE EXCEPTION 'exam plan capacity below seats taken';
    END IF;
    room := p_capacity - total;
    UPDATE plan_seats SET quota = taken + room / 16 + CASE WHEN stripe < room % 16 THEN 1 ELSE 0 END
        WHERE plan_id = p_plan;
END
$$;
--bun:split
-- A new plan gets its stripes; a new capacity is spread over them again.
CREATE FUNCTION exam_plans_seats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO plan_seats (plan_id, stripe) SELECT NEW.id, s FROM generate_series(0, 15) s;
    END IF;
    PERFORM plan_seats_spread(NEW.id, NEW.capacity);
    RETURN NULL;
END
$$;
--bun:split
CREATE TRIGGER exam_plans_seats_insert AFTER INSERT ON exam_plans
    FOR EACH ROW EXECUTE FUNCTION exam_plans_seats();
--bun:split
CREATE TRIGGER exam_plans_seats_update AFTER UPDATE OF capacity ON exam_plans
    FOR EACH ROW WHEN (OLD.capacity IS DISTINCT FROM NEW.capacity) EXECUTE FUNCTION exam_plans_seats();
--bun:split
-- plan_seats_move takes n places of a plan (n > 0) or gives -n back (n < 0).
--   One place: from a stripe with room (to give back: holding some) that nobody holds, without waiting; else from
--   one that the latest committed counts show with room, waiting for that one stripe only (more clients than
--   stripes queue per stripe, not all on one), and again if it filled meanwhile. When no stripe shows room, the
--   plan is full. One place never holds a stripe while waiting for another, so it cannot deadlock.
--   Several (a batch): every stripe of the plan locked in order (so batches never deadlock either), filled in order.
CREATE FUNCTION plan_seats_move(p_plan bigint, n int) RETURNS void LANGUAGE plpgsql AS $$
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
--bun:split
-- The registrations' trigger: per plan, the places a statement takes (+) or gives back (−), plans in order (two
-- statements touching the same plans never wait for each other crosswise).
CREATE FUNCTION registrations_seats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moves refcursor;
    d record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        OPEN moves FOR SELECT plan_id, COUNT(*)::int AS n FROM new_rows
            WHERE status NOT IN ('withdrawn', 'forfeited') GROUP BY plan_id ORDER BY plan_id;
    ELSIF TG_OP = 'DELETE' THEN
        OPEN moves FOR SELECT plan_id, -COUNT(*)::int AS n FROM old_rows
            WHERE status NOT IN ('withdrawn', 'forfeited') GROUP BY plan_id ORDER BY plan_id;
    ELSE
        OPEN moves FOR SELECT plan_id, SUM(c.d)::int AS n FROM (
                SELECT plan_id, 1 AS d FROM new_rows WHERE status NOT IN ('withdrawn', 'forfeited')
                UNION ALL
                SELECT plan_id, -1 AS d FROM old_rows WHERE status NOT IN ('withdrawn', 'forfeited')) c
            GROUP BY plan_id ORDER BY plan_id;
    END IF;
    LOOP
        FETCH moves INTO d;
        EXIT WHEN NOT FOUND;
        IF d.n <> 0 THEN
            PERFORM plan_seats_move(d.plan_id, d.n);
        END IF;
    END LOOP;
    CLOSE moves;
    RETURN NULL;
END
$$;
--bun:split
DROP FUNCTION registrations_seats_insert();
--bun:split
DROP FUNCTION registrations_seats_delete();
--bun:split
DROP FUNCTION registrations_seats_update();
--bun:split
DROP FUNCTION registrations_seats_apply(jsonb);
--bun:split
CREATE TRIGGER registrations_seats_insert AFTER INSERT ON registrations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registrations_seats();
--bun:split
CREATE TRIGGER registrations_seats_delete AFTER DELETE ON registrations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION registrations_seats();
--bun:split
CREATE TRIGGER registrations_seats_update AFTER UPDATE ON registrations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registrations_seats();
--bun:split
INSERT INTO plan_seats (plan_id, stripe, taken)
SELECT p.id, s, CASE WHEN s = 0 THEN p.seats_taken ELSE 0 END FROM exam_plans p, generate_series(0, 15) s;
--bun:split
SELECT plan_seats_spread(id, capacity) FROM exam_plans WHERE capacity > 0 AND seats_taken <= capacity;
--bun:split
-- (A plan holding more than its capacity, which no path allows, keeps no room rather than becoming unlimited.)
UPDATE plan_seats SET quota = taken WHERE plan_id IN (SELECT id FROM exam_plans WHERE capacity > 0 AND seats_taken > capacity);
{{else}}
DROP TRIGGER registrations_seats_insert;
--bun:split
DROP TRIGGER registrations_seats_delete;
--bun:split
DROP TRIGGER registrations_seats_update;
--bun:split
INSERT INTO plan_seats (plan_id, stripe, taken, quota)
SELECT id, 0, seats_taken, CASE WHEN capacity > 0 THEN max(capacity, seats_taken) END FROM exam_plans;
--bun:split
CREATE TRIGGER exam_plans_seats_insert AFTER INSERT ON exam_plans
BEGIN
    INSERT INTO plan_seats (plan_id, stripe, quota) VALUES (NEW.id, 0, NULLIF(NEW.capacity, 0));
END;
--bun:split
CREATE TRIGGER exam_plans_seats_update AFTER UPDATE OF capacity ON exam_plans WHEN OLD.capacity <> NEW.capacity
BEGIN
    SELECT RAISE(ABORT, 'exam plan capacity below seats taken') FROM plan_seats
        WHERE plan_id = NEW.id AND NEW.capacity > 0 AND taken > NEW.capacity;
    UPDATE plan_seats SET quota = NULLIF(NEW.capacity, 0) WHERE plan_id = NEW.id;
END;
--bun:split
CREATE TRIGGER registrations_seats_insert AFTER INSERT ON registrations WHEN NEW.status NOT IN ('withdrawn', 'forfeited')
BEGIN
    SELECT RAISE(ABORT, 'exam plan is full') FROM plan_seats WHERE plan_id = NEW.plan_id AND taken >= quota;
    UPDATE plan_seats SET taken = taken + 1 WHERE plan_id = NEW.plan_id;
END;
--bun:split
CREATE TRIGGER registrations_seats_delete AFTER DELETE ON registrations WHEN OLD.status NOT IN ('withdrawn', 'forfeited')
BEGIN
    UPDATE plan_seats SET taken = taken - 1 WHERE plan_id = OLD.plan_id;
END;
--bun:split
CREATE TRIGGER registrations_seats_update AFTER UPDATE OF status, plan_id ON registrations
    WHEN OLD.status <> NEW.status OR OLD.plan_id <> NEW.plan_id
BEGIN
    UPDATE plan_seats SET taken = taken - 1 WHERE plan_id = OLD.plan_id AND OLD.status NOT IN ('withdrawn', 'forfeited');
    SELECT RAISE(ABORT, 'exam plan is full') FROM plan_seats
        WHERE plan_id = NEW.plan_id AND NEW.status NOT IN ('withdrawn', 'forfeited') AND taken >= quota;
    UPDATE plan_seats SET taken = taken + 1 WHERE plan_id = NEW.plan_id AND NEW.status NOT IN ('withdrawn', 'forfeited');
END;
{{end}}
--bun:split
ALTER TABLE exam_plans DROP COLUMN seats_taken;
