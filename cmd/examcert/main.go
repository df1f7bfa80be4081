// Command examcert is the whole exam-affairs and certificate system in one binary: it serves the web application
// and carries the commands to migrate the database, seed demo data and create an admin.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/term"

	"examcert/handlers"
	"examcert/internal/blobstore"
	"examcert/internal/config"
	"examcert/internal/database"
	"examcert/internal/jobs"
	"examcert/internal/logbuf"
	"examcert/models"
	"examcert/models/demo"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `examcert — 北京市建设行业从业人员考务和证书管理系统

Usage:
  examcert serve [flags]         run the web server (--demo seeds demo data into an empty database)
  examcert migrate [flags]       apply database migrations
  examcert rollback [flags]      undo the last group of migrations
  examcert seed-demo [flags]     put demo accounts into an empty database
  examcert create-admin [flags] --username NAME [--name 姓名]   create an admin; the password is read from the terminal or stdin
  examcert audit verify [flags]  seal the 操作日志's newest rows into its hash chain and verify the whole chain
  examcert grant-serving-role [flags] [--role NAME]   PostgreSQL: let the serving role read and write rows, nothing
                                 more (run with the owner's --migrate-database-url; NAME defaults to --database-url's user)
  examcert --version

Every command takes the flags below (or the environment variables in README.md); "examcert serve -h" lists them.
`

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "examcert:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		fmt.Print(usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "--version", "-version", "version":
		fmt.Println("examcert", version)
		return nil
	case "-h", "--help", "help":
		fmt.Print(usage)
		return nil
	}
	if cmd == "audit" {
		if len(rest) == 0 || rest[0] != "verify" {
			fmt.Print(usage)
			return errors.New("audit: the command is \"audit verify\"")
		}
		cmd, rest = "audit verify", rest[1:]
	}
	switch cmd {
	case "serve", "migrate", "rollback", "seed-demo", "create-admin", "audit verify", "grant-serving-role":
	default:
		fmt.Print(usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	var username, name, role string
	if cmd == "create-admin" {
		rest = takeFlag(rest, "username", &username)
		rest = takeFlag(rest, "name", &name)
	}
	if cmd == "grant-serving-role" {
		rest = takeFlag(rest, "role", &role)
	}
	cfg, err := config.Parse("examcert "+cmd, rest)
	if err != nil {
		return err
	}
	log, logs := newLogger(cfg.LogLevel)
	defer logs.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	db, err := database.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()

	switch cmd {
	case "migrate":
		names, err := migrate(ctx, cfg, db, database.Migrate)
		for _, n := range names {
			log.Info("migration applied", "name", n)
		}
		if err == nil && len(names) == 0 {
			log.Info("database is up to date")
		}
		return err
	case "rollback":
		names, err := migrate(ctx, cfg, db, database.Rollback)
		for _, n := range names {
			log.Info("migration rolled back", "name", n)
		}
		return err
	case "seed-demo":
		if _, err := migrate(ctx, cfg, db, database.Migrate); err != nil {
			return err
		}
		return seedDemo(ctx, db, log)
	case "create-admin":
		if _, err := migrate(ctx, cfg, db, database.Migrate); err != nil {
			return err
		}
		return createAdmin(ctx, db, cfg, username, name)
	case "audit verify": // reads and seals rows only: it works with the serving role and changes no schema
		return verifyAudit(ctx, db)
	case "grant-serving-role":
		return grantServingRole(ctx, cfg, role, log)
	default: // serve
		return serve(ctx, db, cfg, log)
	}
}

// migrate runs a migration step as the schema owner when an owner URL is set (the serving role may not create or
// alter tables), otherwise over db itself.
func migrate(ctx context.Context, cfg config.Config, db *bun.DB, step func(context.Context, *bun.DB) ([]string, error)) ([]string, error) {
	if cfg.MigrateDatabaseURL == "" {
		names, err := step(ctx, db)
		if err != nil && strings.Contains(err.Error(), "42501") { // insufficient_privilege
			err = fmt.Errorf("%w (a serving role cannot migrate: give the owner's --migrate-database-url)", err)
		}
		return names, err
	}
	owner, err := database.Open(ctx, cfg.MigrateDatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("migrate database url: %w", err)
	}
	defer owner.Close()
	return step(ctx, owner)
}

// startJobs starts this process's background job runner (SMTP when --smtp-host is set; no SMS provider).
func startJobs(ctx context.Context, db *bun.DB, blobs blobstore.Store, cfg config.Config, log *slog.Logger) (*jobs.Runner, error) {
	opts := jobs.Options{Logger: log}
	if cfg.SMTPHost != "" {
		opts.Email = jobs.SMTP{Host: cfg.SMTPHost, Port: cfg.SMTPPort, User: cfg.SMTPUser, Password: cfg.SMTPPassword, From: cfg.SMTPFrom}
	} else {
		log.Warn("no --smtp-host: notice emails wait in the outbox")
	}
	r, err := jobs.New(db, blobs, opts)
	if err != nil {
		return nil, err
	}
	return r, r.Start(ctx)
}

func serve(ctx context.Context, db *bun.DB, cfg config.Config, log *slog.Logger) error {
	names, err := migrate(ctx, cfg, db, database.Migrate)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, n := range names {
		log.Info("migration applied", "name", n)
	}
	if cfg.Demo {
		err := seedDemo(ctx, db, log)
		if err != nil && !errors.Is(err, demo.ErrNotEmpty) {
			return err
		}
	}
	blobs, err := openBlobs(db, cfg)
	if err != nil {
		return err
	}
	app := handlers.New(db, blobs, cfg, log, version)
	if cfg.Portal.Enabled() {
		// Only logged: the portal is reached at the first sign-in through it, so one that is down does not stop us.
		log.Info("网上办事大厅 sign-in offered", "issuer", cfg.Portal.Issuer, "client_id", cfg.Portal.ClientID,
			"password_fallback", cfg.Portal.PasswordFallback)
	}
	if has, err := models.HasAdmin(ctx, db); err == nil && !has {
		token, err := app.SetupToken(ctx)
		if err != nil {
			return err
		}
		log.Warn("no admin account yet: open /setup and enter this token, or run `examcert create-admin`",
			"setup_token", token)
	}
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           app,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // uploads of large Excel files and photo batches
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	runner, err := startJobs(context.WithoutCancel(ctx), db, blobs, cfg, log)
	if err != nil {
		return fmt.Errorf("background jobs: %w", err)
	}
	go every(ctx, 10*time.Minute, func(ctx context.Context) { sweep(ctx, db, app, log) })
	go every(ctx, auditSealInterval, func(ctx context.Context) { sealAuditLog(ctx, db, log) })
	errc := make(chan error, 1)
	go func() {
		log.Info("serving", "url", "http://"+displayAddr(cfg.Addr), "database", dbKind(cfg), "version", version)
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	// Jobs stop after the requests: a request may still be queueing one. Those still running when the time is up
	// are cancelled, and retried by the next start.
	if jerr := runner.Stop(shutdownCtx); jerr != nil && err == nil {
		err = fmt.Errorf("stopping background jobs: %w", jerr)
	}
	return err
}

// sweep deletes expired sessions, and photos kept for forms that never came back.
func sweep(ctx context.Context, db *bun.DB, app *handlers.App, log *slog.Logger) {
	if _, err := models.DeleteExpiredSessions(ctx, db, models.Now()); err != nil {
		log.Warn("session sweep failed", "error", err)
	}
	if err := app.SweepPhotoUploads(ctx); err != nil {
		log.Warn("kept photo sweep failed", "error", err)
	}
}

// auditSealInterval is how long a new audit row waits, at most, to be linked into the hash chain.
const auditSealInterval = 5 * time.Second

// sealAuditLog links new 操作日志 rows into the hash chain (models.SealAudit says why it is done after the fact, not
// by the transaction that writes the row).
func sealAuditLog(ctx context.Context, db *bun.DB, log *slog.Logger) {
	if _, err := models.SealAudit(ctx, db); err != nil && ctx.Err() == nil {
		log.Error("audit chain sealing failed", "error", err)
	}
}

// every runs chore every d until ctx ends.
func every(ctx context.Context, d time.Duration, chore func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			chore(ctx)
		}
	}
}

// verifyAudit is `examcert audit verify`: the verdict on stdout, and an error (exit status 1) when the chain is broken.
func verifyAudit(ctx context.Context, db *bun.DB) error {
	v, err := models.VerifyAudit(ctx, db)
	if err != nil {
		return err
	}
	fmt.Println(v)
	if !v.Intact {
		return models.ErrAuditChainBroken
	}
	return nil
}

// grantServingRole is `examcert grant-serving-role`: as the owner, it applies the migrations and grants the
// serving role row access only (database.ServingRoleGrants).
func grantServingRole(ctx context.Context, cfg config.Config, role string, log *slog.Logger) error {
	if cfg.MigrationURL() == "" {
		return errors.New("grant-serving-role is for PostgreSQL: give --database-url (and the owner's --migrate-database-url)")
	}
	if role == "" && cfg.MigrateDatabaseURL != "" {
		if u, err := url.Parse(cfg.DatabaseURL); err == nil && u.User != nil {
			role = u.User.Username()
		}
	}
	if role == "" {
		return errors.New("--role: name the role the server serves with")
	}
	owner, err := database.Open(ctx, cfg.MigrationURL(), cfg.DataDir)
	if err != nil {
		return err
	}
	defer owner.Close()
	if _, err := database.Migrate(ctx, owner); err != nil {
		return err
	}
	if err := database.GrantServingRole(ctx, owner, role); err != nil {
		return err
	}
	log.Info("serving role granted row access", "role", role)
	return nil
}

func seedDemo(ctx context.Context, db *bun.DB, log *slog.Logger) error {
	accts, err := demo.Seed(ctx, db)
	if err != nil {
		return err
	}
	for _, a := range accts {
		log.Info("demo account", "username", a.Username, "role", a.Role, "name", a.Name, "password", demo.Password)
	}
	return nil
}

func createAdmin(ctx context.Context, db *bun.DB, cfg config.Config, username, name string) error {
	if msg := models.CheckUsername(username); msg != "" { // before asking for the password
		return fmt.Errorf("--username: %s", msg)
	}
	pw, err := readPassword()
	if err != nil {
		return err
	}
	in := models.AdminSetup{Username: username, DisplayName: name, Password: pw, Confirm: pw}
	acct, err := models.SetupAdmin(ctx, db, models.Actor{RequestID: "create-admin"}, in, cfg.Password)
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		switch {
		case fe["username"] != "":
			return fmt.Errorf("--username: %s", fe["username"])
		case fe["display_name"] != "":
			return fmt.Errorf("--name: %s", fe["display_name"])
		case fe["password"] != "":
			return errors.New(fe["password"])
		}
		return fe
	}
	if err != nil {
		return err
	}
	fmt.Printf("admin %q created\n", acct.Username)
	return nil
}

// readPassword asks twice on a terminal (without echo), or reads one line from a pipe.
func readPassword() (string, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", errors.New("no password on stdin")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fmt.Fprint(os.Stderr, "密码: ")
	a, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(os.Stderr, "再次输入密码: ")
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", err
	}
	if string(a) != string(b) {
		return "", errors.New("两次输入的密码不一致")
	}
	return string(a), nil
}

// takeFlag removes --name VALUE or --name=VALUE from args into dst (flags only create-admin has).
func takeFlag(args []string, name string, dst *string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--"+name || a == "-"+name:
			if i+1 < len(args) {
				*dst = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "--"+name+"=") || strings.HasPrefix(a, "-"+name+"="):
			*dst = a[strings.Index(a, "=")+1:]
		default:
			out = append(out, a)
		}
	}
	return out
}

// newLogger logs JSON lines to stderr, written in batches (logbuf): at most 100 ms late, all of them by Close.
func newLogger(level string) (*slog.Logger, *logbuf.Writer) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	w := logbuf.New(os.Stderr, 100*time.Millisecond)
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), w
}

func displayAddr(addr string) string {
	if strings.HasPrefix(addr, ":") {
		return "localhost" + addr
	}
	return addr
}

func dbKind(cfg config.Config) string {
	if cfg.DatabaseURL != "" {
		return "postgresql"
	}
	return "sqlite:" + cfg.DataDir + "/" + database.SQLiteFile
}

// openBlobs is the store of photos and made documents the settings choose (--blob-store): the database's tables with
// PostgreSQL (every server process behind a load balancer sees every file), the data folder with SQLite.
func openBlobs(db *bun.DB, cfg config.Config) (blobstore.Store, error) {
	if cfg.BlobStore == "database" || (cfg.BlobStore != "folder" && cfg.DatabaseURL != "") {
		return blobstore.NewDB(db), nil
	}
	return blobstore.NewLocal(filepath.Join(cfg.DataDir, "blobs"))
}
