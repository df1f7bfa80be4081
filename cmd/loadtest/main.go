// Command loadtest measures the registration submit (报名表 【保存】) of a running examcert server with a load tool,
// against a plain INSERT of the same row into a table of the same shape without triggers, in one run, at each of
// -connections (4, 16 and 64 by default):
//
//   - it prepares a fresh database (SQLite in a temporary folder, or a new PostgreSQL database beside -database-url)
//     with the demo data, an open exam plan with a capacity, and -people people on the staff of the demo enterprise
//     北京城建示范工程有限公司 with a photo on record;
//   - it starts the examcert binary (-server) on that database, signs in as the enterprise and has wrk post one
//     报名表 per person (each level into a new plan, for -duration), checking every answer is 303 报名成功;
//   - then, with the server stopped, the plain INSERT of the same registration row into loadtest_plain (the columns,
//     defaults, checks and indexes of registrations; no triggers, no foreign keys): a tight loop in Go with the same
//     driver on the same file for SQLite, pgbench with as many clients as wrk had for PostgreSQL;
//   - and the registration's writes alone (writes.go): the same row into registrations itself, with its foreign keys
//     and seats trigger, and its audit row, one transaction each, the same way: what the database must do for a
//     submit however fast the server is.
//
// Run it with make loadtest (it needs wrk, and pgbench for PostgreSQL: apt-get install wrk postgresql-client).
package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/blobstore"
	"examcert/internal/database"
	"examcert/internal/ident"
	"examcert/models"
	"examcert/models/demo"
)

type options struct {
	server      string
	databaseURL string
	people      int
	duration    time.Duration
	connections []int
	threads     int
	keep        bool
	importRows  int
	lists       bool
}

func main() {
	var o options
	flag.StringVar(&o.server, "server", "bin/examcert", "the examcert binary to load")
	flag.StringVar(&o.databaseURL, "database-url", "", "postgres://… of a server where a scratch database may be created (default: SQLite)")
	flag.IntVar(&o.people, "people", 100000, "people on the enterprise's staff (one registration each; more than the run can use)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long each of the two measurements runs")
	levels := flag.String("connections", "4,16,64", "concurrent connections (wrk) and clients (pgbench), one measurement each")
	flag.IntVar(&o.threads, "threads", 2, "wrk and pgbench threads")
	flag.BoolVar(&o.keep, "keep", false, "keep the scratch folder and database")
	flag.BoolVar(&o.lists, "lists", true, "also load a signed-in list page, /healthz and (if installed) nginx serving the page as a static file")
	flag.IntVar(&o.importRows, "import-rows", 10000, "rows of the 批量报名 file whose import's peak memory is measured (0: none)")
	flag.Parse()
	for _, l := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(l))
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "loadtest: -connections is a list of numbers, as 4,16,64")
			os.Exit(2)
		}
		o.connections = append(o.connections, n)
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// A clerk posts for connectionsPerClerk connections; there are at most maxClerks.
const connectionsPerClerk, maxClerks = 4, 16

// fixture is what the run prepared.
type fixture struct {
	db        *bun.DB
	raw       *sql.DB // SQLite: one connection of its own, for checkpoints (settle)
	dir       string
	url       string // the scratch PostgreSQL database ("" for SQLite)
	rawPlan   *models.ExamPlan
	org       *models.Organization
	staff     []string // ID numbers of the staff, one 报名表 each
	staffIDs  []int64  // their ids, in the same order
	accountID int64    // the enterprise's first account (clerks[0])
	clerks    []string // usernames of the enterprise's accounts
	photoKey  string
	gen       func() string // more distinct ID numbers, for people new to the system
	serverPID int
}

func run(ctx context.Context, o options) error {
	for _, tool := range []string{"wrk", o.server} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found (%v): install wrk, and build the server with make build", tool, err)
		}
	}
	dir, err := os.MkdirTemp("", "examcert-loadtest-")
	if err != nil {
		return err
	}
	f := &fixture{dir: dir}
	defer func() {
		if f.raw != nil {
			f.raw.Close()
		}
		if f.db != nil {
			f.db.Close()
		}
		if !o.keep {
			os.RemoveAll(dir)
			if f.url != "" {
				dropScratch(ctx, o.databaseURL, f.url)
			}
		}
	}()
	if err := prepare(ctx, o, f); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	kind := "SQLite"
	how := "Go loop on the same file, one connection"
	if f.url != "" {
		kind, how = "PostgreSQL", "pgbench, as many clients"
	}
	fmt.Printf("%s, %d people on staff, %s each; plain INSERT: %s\n", kind, len(f.staff), o.duration, how)
	var results []result
	for _, c := range o.connections {
		r, err := measure(ctx, o, f, c)
		if err != nil {
			return fmt.Errorf("%d connections: %w", c, err)
		}
		results = append(results, r)
	}
	if o.importRows > 0 {
		if err := measureImport(ctx, o, f); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	var pages []pageRate
	if o.lists {
		if pages, err = measureLists(ctx, o, f); err != nil {
			return fmt.Errorf("lists: %w", err)
		}
	}
	fmt.Printf("\n%s       connections  submit/s  plain INSERT/s  ratio  writes alone/s  ratio  submit of writes\n", kind)
	for i, r := range results {
		fmt.Printf("%s  %11d  %8.0f  %14.0f  %4.0f %%  %14.0f  %4.0f %%  %15.0f %%\n", kind, o.connections[i], r.submits, r.plain,
			100*r.submits/r.plain, r.writes, 100*r.writes/r.plain, 100*r.submits/r.writes)
	}
	if len(pages) > 0 {
		fmt.Printf("\n%s, %d connections: page  bytes  req/s  of nginx\n", kind, listConnections)
		for _, p := range pages {
			ratio := "-"
			if static := pages[len(pages)-1]; static.static {
				ratio = fmt.Sprintf("%.0f %%", 100*p.rate/static.rate)
			}
			fmt.Printf("%s  %s  %d  %.0f  %s\n", kind, p.name, p.bytes, p.rate, ratio)
		}
	}
	return nil
}

// result is one level of connections: submits, plain INSERTs and the registration's writes alone, per second.
type result struct{ submits, plain, writes float64 }

// measure runs wrk against the submit into a new plan with c connections, then the plain INSERT and the writes
// alone (measureWrites) with c clients.
func measure(ctx context.Context, o options, f *fixture, c int) (r result, err error) {
	plan, err := openPlan(ctx, f.db, fmt.Sprintf("负载测试：单个报名，%d个连接", c), len(f.staff))
	if err != nil {
		return r, err
	}
	if err := settle(ctx, f); err != nil {
		return r, err
	}
	submits, bad, err := loadSubmit(ctx, o, f, plan, c)
	if err != nil {
		return r, fmt.Errorf("submit: %w", err)
	}
	var stored int
	if err := f.db.NewSelect().Model((*models.Registration)(nil)).ColumnExpr("COUNT(*)").Where("plan_id = ?", plan.ID).Scan(ctx, &stored); err != nil {
		return r, err
	}
	fmt.Printf("%d connections: registration submit (HTTP, wrk): %8.0f per second  (%d saved, %d answers other than 303)\n", c, submits, stored, bad)
	if bad > 0 {
		return r, fmt.Errorf("%d submits were not saved", bad)
	}
	if err := checkSeats(ctx, f, plan.ID); err != nil {
		return r, err
	}
	if _, err := f.db.ExecContext(ctx, "DELETE FROM loadtest_plain"); err != nil {
		return r, err
	}
	if err := settle(ctx, f); err != nil {
		return r, err
	}
	var plain float64
	if f.url == "" {
		plain, err = plainSQLite(ctx, o, f)
	} else {
		plain, err = plainPgbench(ctx, o, f, c)
	}
	if err != nil {
		return r, fmt.Errorf("plain insert: %w", err)
	}
	fmt.Printf("%d connections: plain INSERT of the same row: %8.0f per second\n", c, plain)
	if err := settle(ctx, f); err != nil {
		return r, err
	}
	writes, err := measureWrites(ctx, o, f, c)
	if err != nil {
		return r, fmt.Errorf("writes alone: %w", err)
	}
	fmt.Printf("%d connections: the registration's writes alone (INSERT with its triggers and foreign keys, audit row): %8.0f per second\n", c, writes)
	return result{submits, plain, writes}, nil
}

// checkSeats fails unless the places the plan counts (models.PlanSeatsTaken, the sum of its seat stripes) are its
// registrations that take one (RegStatus.TakesPlace): under load each registration must take exactly one place.
func checkSeats(ctx context.Context, f *fixture, planID int64) error {
	var byStatus []struct {
		Status models.RegStatus `bun:"status"`
		N      int              `bun:"n"`
	}
	if err := f.db.NewSelect().Model((*models.Registration)(nil)).Column("status").ColumnExpr("COUNT(*) AS n").
		Where("plan_id = ?", planID).Group("status").Scan(ctx, &byStatus); err != nil {
		return err
	}
	held := 0
	for _, s := range byStatus {
		if s.Status.TakesPlace() {
			held += s.N
		}
	}
	taken, err := models.PlanSeatsTaken(ctx, f.db, planID)
	if err == nil && held != taken {
		err = fmt.Errorf("plan %d counts %d places taken for %d registrations", planID, taken, held)
	}
	return err
}

// settle starts each measurement on SQLite from a checkpointed file, so that none pays for copying the WAL of the
// one before into the file: without it the plain INSERT loop, run after the submits and the DELETE of the previous
// level's rows, measured 4,392 INSERTs/s at the first of three equal levels, 1,883 and 1,482 at the next two (with
// it: 4,171, 4,240, 4,457).
func settle(ctx context.Context, f *fixture) error {
	if f.url != "" {
		return nil
	}
	// Not through f.db: its connections run every statement that may write in a transaction, where a checkpoint
	// cannot run.
	if f.raw == nil {
		raw, err := sql.Open("sqlite", database.SQLiteDSN(filepath.Join(f.dir, database.SQLiteFile)))
		if err != nil {
			return err
		}
		raw.SetMaxOpenConns(1)
		f.raw = raw
	}
	_, err := f.raw.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// prepare makes the scratch database and fills it.
func prepare(ctx context.Context, o options, f *fixture) error {
	if o.databaseURL != "" {
		u, err := createScratch(ctx, o.databaseURL)
		if err != nil {
			return err
		}
		f.url = u
	}
	db, err := database.Open(ctx, f.url, f.dir)
	if err != nil {
		return err
	}
	f.db = db
	if _, err := database.Migrate(ctx, db); err != nil {
		return err
	}
	if _, err := demo.Seed(ctx, db); err != nil {
		return err
	}
	var acct models.Account
	if err := db.NewSelect().Model(&acct).Where("username = 'jianshe'").Scan(ctx); err != nil {
		return err
	}
	if f.org, err = models.GetOrganization(ctx, db, *acct.OrganizationID); err != nil {
		return err
	}
	// Clerks of the enterprise: each posts for a few connections, as people at several desks would, with the
	// lookup budget of their own account.
	f.clerks, f.accountID = []string{acct.Username}, acct.ID
	for i := 1; i < maxClerks; i++ {
		clerk := acct
		clerk.ID, clerk.Username = 0, fmt.Sprintf("jianshe%02d", i)
		if err := models.InsertAccount(ctx, db, &clerk); err != nil {
			return err
		}
		f.clerks = append(f.clerks, clerk.Username)
	}
	// The photo on record goes where the server keeps files (--blob-store auto): the database with PostgreSQL.
	var blobs blobstore.Store = blobstore.NewDB(db)
	if f.url == "" {
		if blobs, err = blobstore.NewLocal(filepath.Join(f.dir, "blobs")); err != nil {
			return err
		}
	}
	if f.photoKey, err = blobs.Put(ctx, testPhoto()); err != nil {
		return err
	}
	if f.rawPlan, err = openPlan(ctx, db, "负载测试：直接插入", o.people); err != nil {
		return err
	}
	if err := createPlain(ctx, db, f.url != ""); err != nil {
		return err
	}
	gen := newIDs()
	f.gen = gen
	f.staff = make([]string, o.people)
	for i := range f.staff {
		f.staff[i] = gen()
	}
	ids, err := insertPeople(ctx, db, f.staff, &f.org.ID, f.photoKey)
	if err != nil {
		return err
	}
	f.staffIDs = ids
	if err := insertHistory(ctx, db, f, ids); err != nil {
		return err
	}
	// What autovacuum does within a minute of a bulk load: without statistics, PostgreSQL reads the enterprise's
	// list through a bitmap of all 100,000 staff (43 ms a page instead of 0.4 ms), a state no server stays in.
	// SQLite has no autovacuum and examcert never analyzes it, so neither does the load test: with sqlite_stat4
	// filled, SQLite compiles again, at every run, each kept statement that compares an indexed column with a
	// bound value (see internal/database/stmtcache.go).
	if f.url != "" {
		_, err = db.ExecContext(ctx, "ANALYZE")
	}
	return err
}

// insertHistory registers every one of the staff for an earlier exam, which they passed: a registry's
// registrations table is never empty on the day registration opens, and statistics taken of an empty one make
// PostgreSQL keep plans (of the statements prepared once per connection) that read it whole once it has grown.
func insertHistory(ctx context.Context, db *bun.DB, f *fixture, personIDs []int64) error {
	plan, err := openPlan(ctx, db, "负载测试：往期考试", len(personIDs))
	if err != nil {
		return err
	}
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for start := 0; start < len(personIDs); start += 500 {
			regs := make([]models.Registration, min(500, len(personIDs)-start))
			for i := range regs {
				regs[i] = *rawRegistration(f, personIDs[start+i])
				regs[i].PlanID, regs[i].Status = plan.ID, models.RegPassed
			}
			if _, err := tx.NewInsert().Model(&regs).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

func openPlan(ctx context.Context, db *bun.DB, name string, capacity int) (*models.ExamPlan, error) {
	now := models.Now()
	p := &models.ExamPlan{Name: name, CategoryID: 1, Level: "无", RegistrationStartsAt: now.Add(-time.Hour),
		RegistrationEndsAt: now.Add(24 * time.Hour), ExamAt: now.Add(48 * time.Hour), Capacity: capacity, PhotoMaxBytes: 60 * 1024}
	if err := models.SavePlan(ctx, db, p, 0); err != nil {
		return nil, err
	}
	admin, err := models.FindAccountForLogin(ctx, db, "admin", "", "", "")
	if err != nil {
		return nil, err
	}
	return p, models.AdvancePlan(ctx, db, models.Actor{Account: admin, IP: "127.0.0.1", RequestID: "loadtest"}, p.ID, models.PlanDraft)
}

// newIDs returns a generator of distinct valid ID numbers.
func newIDs() func() string {
	r := rand.New(rand.NewPCG(1, 2))
	regions := []string{"110101", "110102", "110105", "110106", "110108", "110111", "110112"}
	seen := map[string]bool{}
	n := 0
	return func() string {
		for {
			n++
			birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/len(regions)%14000)
			id := ident.GenerateIDNumber(r, regions[n%len(regions)], birth, ident.GenderMale)
			if !seen[id] {
				seen[id] = true
				return id
			}
		}
	}
}

// insertPeople stores people with the given ID numbers and returns their ids in order.
func insertPeople(ctx context.Context, db *bun.DB, numbers []string, orgID *int64, photoKey string) ([]int64, error) {
	now := models.Now()
	birth := time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []int64
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for start := 0; start < len(numbers); start += 500 {
			ps := make([]models.Person, min(500, len(numbers)-start))
			for i := range ps {
				ps[i] = models.Person{IDNumber: numbers[start+i], Name: "负载考生", Gender: "男", BirthDate: &birth, Education: "本科",
					OrganizationID: orgID, PhotoKey: photoKey, CreatedAt: now, UpdatedAt: now, Version: 1}
			}
			if _, err := tx.NewInsert().Model(&ps).Returning("id").Exec(ctx); err != nil {
				return err
			}
			for _, p := range ps {
				ids = append(ids, p.ID)
			}
		}
		return nil
	})
	return ids, err
}

func testPhoto() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 295, 413))
	for y := 0; y < 413; y++ {
		for x := 0; x < 295; x++ {
			img.Set(x, y, color.RGBA{uint8(200 + x%40), uint8(190 + y%50), 220, 255})
		}
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	return buf.Bytes()
}

// loadSubmit starts the server, signs in and runs wrk; it returns submits per second and the answers that were not
// 303 报名成功.
func loadSubmit(ctx context.Context, o options, f *fixture, plan *models.ExamPlan, connections int) (float64, int, error) {
	base, stop, err := startExamcert(ctx, o, f)
	if err != nil {
		return 0, 0, err
	}
	defer stop()
	form := url.Values{"plan": {strconv.FormatInt(plan.ID, 10)}, "name": {"负载考生"}, "education": {"本科"},
		"work_start_date": {"2010-07-01"}, "employer_name": {f.org.Name}, "employer_code": {f.org.Code()},
		"resume_period": {"2010.07-2018.06"}, "resume_employer": {f.org.Name}, "resume_post": {"施工员"}, "employer_opinion": {"同意报名"}}
	var sessions strings.Builder
	for i := range min(maxClerks, (connections+connectionsPerClerk-1)/connectionsPerClerk) {
		session, token, err := signIn(base, f.clerks[i])
		if err != nil {
			return 0, 0, err
		}
		form.Set("_csrf", token)
		fmt.Fprintf(&sessions, "  {cookie = %q, body = %q},\n", "examcert_session="+session+"; examcert_csrf="+token, form.Encode())
	}
	idsFile := filepath.Join(f.dir, "ids.txt")
	if err := os.WriteFile(idsFile, []byte(strings.Join(f.staff, "\n")+"\n"), 0o600); err != nil {
		return 0, 0, err
	}
	script := strings.NewReplacer("{{IDS}}", idsFile, "{{SESSIONS}}", sessions.String()).Replace(luaScript)
	scriptFile := filepath.Join(f.dir, "submit.lua")
	if err := os.WriteFile(scriptFile, []byte(script), 0o600); err != nil {
		return 0, 0, err
	}
	out, err := exec.CommandContext(ctx, "wrk", "-t", strconv.Itoa(o.threads), "-c", strconv.Itoa(connections),
		"-d", o.duration.String(), "--latency", "-s", scriptFile, base, "--", strconv.Itoa(o.threads)).CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	fmt.Printf("--- wrk\n%s---\n", out)
	rate, err := number(`Requests/sec:\s+([0-9.]+)`, out)
	if err != nil {
		return 0, 0, err
	}
	bad, err := number(`not saved: ([0-9]+)`, out)
	return rate, int(bad), err
}

// startExamcert starts the server on the fixture's database and waits until it is healthy; stop ends it.
func startExamcert(ctx context.Context, o options, f *fixture) (base string, stop func(), err error) {
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	args := []string{"serve", "--addr", addr, "--data-dir", f.dir}
	if f.url != "" {
		args = append(args, "--database-url", f.url)
	}
	logf, err := os.OpenFile(filepath.Join(f.dir, "server.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return "", nil, err
	}
	srv := exec.CommandContext(ctx, o.server, args...)
	srv.Stdout, srv.Stderr = logf, logf
	// A clerk posts hundreds of 报名表 a second: the lookup budget (SECURITY.md 27) would refuse all but a few a minute.
	srv.Env = append(os.Environ(), "EXAMCERT_LOOKUP_RATE=1000000000", "EXAMCERT_LOOKUP_BURST=1000000000",
		"EXAMCERT_LOGIN_BURST=100") // the clerks sign in one after another from one address
	if err := srv.Start(); err != nil {
		logf.Close()
		return "", nil, err
	}
	f.serverPID = srv.Process.Pid
	stop = func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		_ = srv.Wait()
		logf.Close()
	}
	base = "http://" + addr
	if err := waitHealthy(base); err != nil {
		stop()
		return "", nil, err
	}
	return base, stop, nil
}

// luaScript posts one 报名表 per ID number; each wrk thread takes every n-th number so none is sent twice, and
// the clerks' sessions take turns.
const luaScript = `
local sessions = {
{{SESSIONS}}}
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  local nthreads = tonumber(args[1])
  ids, next_id, bad = {}, 0, 0
  local i = 0
  for line in io.lines("{{IDS}}") do
    if i % nthreads == tid then ids[#ids + 1] = line end
    i = i + 1
  end
end
function request()
  next_id = next_id + 1
  local id = ids[next_id]
  if id == nil then error("out of people: run with more -people") end
  local s = sessions[next_id % #sessions + 1]
  return wrk.format("POST", "/registrations", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = s.cookie,
  }, s.body .. "&id_number=" .. id)
end
function response(status, headers, body)
  if status ~= 303 then
    bad = bad + 1
    if bad == 1 then io.stderr:write("first failed answer: " .. status .. "\n" .. body:sub(1, 2000) .. "\n") end
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write("not saved: " .. total .. "\n")
end
`

func number(pattern string, out []byte) (float64, error) {
	m := regexp.MustCompile(pattern).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no %q in:\n%s", pattern, out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitHealthy(base string) error {
	if err := waitOK(base + "/healthz"); err != nil {
		return errors.New("the server did not become healthy in 30 s (see server.log with -keep)")
	}
	return nil
}

// waitOK waits up to 30 s for url to answer 200.
func waitOK(url string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer 200 in 30 s", url)
}

// signIn signs in as the demo enterprise and returns its session cookie and CSRF token.
func signIn(base, username string) (session, token string, err error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/login")
	if err != nil {
		return "", "", err
	}
	resp.Body.Close()
	u, _ := url.Parse(base)
	cookie := func(name string) string {
		for _, ck := range jar.Cookies(u) {
			if ck.Name == name {
				return ck.Value
			}
		}
		return ""
	}
	resp, err = c.PostForm(base+"/login", url.Values{"_csrf": {cookie("examcert_csrf")}, "username": {username}, "password": {demo.Password}})
	if err != nil {
		return "", "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || cookie("examcert_session") == "" {
		return "", "", fmt.Errorf("sign-in answered %d", resp.StatusCode)
	}
	return cookie("examcert_session"), cookie("examcert_csrf"), nil
}

// rawRegistration is the row both measurements store (loadtest_plain has no foreign keys: any person id does).
func rawRegistration(f *fixture, personID int64) *models.Registration {
	now := models.Now()
	ws := time.Date(2010, 7, 1, 0, 0, 0, 0, time.UTC)
	return &models.Registration{PlanID: f.rawPlan.ID, PersonID: personID, Channel: models.ChannelEnterprise, OrganizationID: &f.org.ID,
		EmployerName: f.org.Name, EmployerCode: f.org.Code(), WorkStartDate: &ws, YearsOfWork: 16,
		Resume: `[{"period":"2010.07-2018.06","employer":"` + f.org.Name + `","post":"施工员"}]`, EmployerOpinion: "同意报名",
		PhotoKey: f.photoKey, Status: models.RegSubmitted, CreatedAt: now, UpdatedAt: now, Version: 1}
}

// createPlain makes loadtest_plain: the columns, defaults, checks and indexes of registrations, without its
// triggers and foreign keys (on PostgreSQL, and a sequence of people for pgbench).
func createPlain(ctx context.Context, db *bun.DB, postgres bool) error {
	if postgres {
		_, err := db.ExecContext(ctx, "CREATE TABLE loadtest_plain (LIKE registrations INCLUDING ALL); CREATE SEQUENCE loadtest_person")
		return err
	}
	var ddl []string
	if err := db.NewRaw("SELECT sql FROM sqlite_master WHERE tbl_name = 'registrations' AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC").
		Scan(ctx, &ddl); err != nil {
		return err
	}
	refs := regexp.MustCompile(`(?i)\s+REFERENCES\s+"?\w+"?\s*\([^)]*\)(\s+ON\s+DELETE\s+(SET\s+NULL|CASCADE|RESTRICT))?`)
	table := regexp.MustCompile(`(?i)^CREATE TABLE\s+("registrations"|registrations\b)`)
	on := regexp.MustCompile(`(?i)\bON\s+("registrations"|registrations)\s*\(`)
	for _, q := range ddl {
		q = refs.ReplaceAllString(q, "")
		q = table.ReplaceAllString(q, "CREATE TABLE loadtest_plain")
		q = strings.Replace(q, "INDEX registrations_", "INDEX loadtest_plain_", 1)
		q = on.ReplaceAllString(q, "ON loadtest_plain (")
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%w\n%s", err, q)
		}
	}
	return nil
}

// plainSQLite inserts the row into loadtest_plain in a tight loop, one statement (and commit) each, for the duration.
func plainSQLite(ctx context.Context, o options, f *fixture) (float64, error) {
	start := time.Now()
	n := 0
	for ; time.Since(start) < o.duration; n++ {
		if _, err := f.db.NewInsert().Model(rawRegistration(f, int64(n+1))).ModelTableExpr("loadtest_plain").Exec(ctx); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// plainPgbench has pgbench insert the row into loadtest_plain with c clients, each taking the next person from a
// sequence.
func plainPgbench(ctx context.Context, o options, f *fixture, c int) (float64, error) {
	q := f.db.NewInsert().Model(rawRegistration(f, 0)).ModelTableExpr("loadtest_plain").ExcludeColumn("id").
		Value("person_id", "nextval('loadtest_person')")
	stmt, err := q.AppendQuery(f.db.QueryGen(), nil)
	if err != nil {
		return 0, err
	}
	return pgbench(ctx, o, f, c, "insert.sql", string(stmt)+";\n")
}

// pgbench runs script (kept in the scratch folder as name) with c clients for the duration and returns its
// transactions per second.
func pgbench(ctx context.Context, o options, f *fixture, c int, name, script string) (float64, error) {
	scriptFile := filepath.Join(f.dir, name)
	if err := os.WriteFile(scriptFile, []byte(script), 0o600); err != nil {
		return 0, err
	}
	out, err := exec.CommandContext(ctx, "pgbench", "-n", "-c", strconv.Itoa(c), "-j", strconv.Itoa(o.threads),
		"-T", strconv.Itoa(int(o.duration.Seconds())), "-f", scriptFile, f.url).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %v\n%s", err, out)
	}
	fmt.Printf("--- pgbench\n%s---\n", out)
	if failed, _ := number(`number of failed transactions: ([0-9]+)`, out); failed > 0 || bytes.Contains(out, []byte("aborted")) {
		return 0, fmt.Errorf("pgbench: transactions failed (deadlocks?): see its output above")
	}
	return number(`tps = ([0-9.]+) \(without initial connection time\)`, out)
}

// createScratch makes a new database on the server of base and returns its URL.
func createScratch(ctx context.Context, base string) (string, error) {
	db, err := database.Open(ctx, base, "")
	if err != nil {
		return "", err
	}
	defer db.Close()
	name := fmt.Sprintf("examcert_loadtest_%d", os.Getpid())
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

func dropScratch(ctx context.Context, base, scratch string) {
	db, err := database.Open(ctx, base, "")
	if err != nil {
		return
	}
	defer db.Close()
	u, _ := url.Parse(scratch)
	_, _ = db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+strings.TrimPrefix(u.Path, "/")+" WITH (FORCE)")
}
