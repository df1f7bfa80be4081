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
	switch cmd {
	case "serve", "migrate", "rollback", "seed-demo", "create-admin":
	default:
		fmt.Print(usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	var username, name string
	if cmd == "create-admin" {
		rest = takeFlag(rest, "username", &username)
		rest = takeFlag(rest, "name", &name)
	}
	cfg, err := config.Parse("examcert "+cmd, rest)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	db, err := database.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()

	switch cmd {
	case "migrate":
		names, err := database.Migrate(ctx, db)
		for _, n := range names {
			log.Info("migration applied", "name", n)
		}
		if err == nil && len(names) == 0 {
			log.Info("database is up to date")
		}
		return err
	case "rollback":
		names, err := database.Rollback(ctx, db)
		for _, n := range names {
			log.Info("migration rolled back", "name", n)
		}
		return err
	case "seed-demo":
		if _, err := database.Migrate(ctx, db); err != nil {
			return err
		}
		return seedDemo(ctx, db, log)
	case "create-admin":
		if _, err := database.Migrate(ctx, db); err != nil {
			return err
		}
		return createAdmin(ctx, db, cfg, username, name)
	default: // serve
		return serve(ctx, db, cfg, log)
	}
}

func serve(ctx context.Context, db *bun.DB, cfg config.Config, log *slog.Logger) error {
	names, err := database.Migrate(ctx, db)
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
	blobs, err := blobstore.NewLocal(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		return err
	}
	app := handlers.New(db, blobs, cfg, log, version)
	if has, err := models.HasAdmin(ctx, db); err == nil && !has {
		log.Warn("no admin account yet: open /setup and enter this token, or run `examcert create-admin`",
			"setup_token", app.SetupToken())
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
	go sweep(ctx, db, app, log)
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
	return srv.Shutdown(shutdownCtx)
}

// sweep deletes expired sessions, and photos kept for forms that never came back, every ten minutes.
func sweep(ctx context.Context, db *bun.DB, app *handlers.App, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := models.DeleteExpiredSessions(ctx, db, models.Now()); err != nil {
				log.Warn("session sweep failed", "error", err)
			}
			if err := app.SweepPhotoUploads(ctx); err != nil {
				log.Warn("kept photo sweep failed", "error", err)
			}
		}
	}
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

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
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
