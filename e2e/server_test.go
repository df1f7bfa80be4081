package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx", for TEST_DATABASE_URL
	_ "modernc.org/sqlite"             // driver "sqlite", to reach into a server's database
)

// server is one examcert process with demo data and a database of its own.
type server struct {
	URL         string // http://127.0.0.1:port
	DataDir     string
	DatabaseURL string // "" for SQLite in DataDir
	stderr      *lockedBuffer
	extraArgs   []string // more flags for serve (e.g. the portal's)
}

// lockedBuffer collects the server's log while the process writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServer runs bin serve --demo on a free port, waits for /readyz, and stops it (SIGTERM, then waits) when the
// test ends. With TEST_DATABASE_URL set, the server gets a fresh PostgreSQL database, dropped afterwards.
func startServer(t *testing.T, bin string, extraArgs ...string) *server {
	t.Helper()
	dataDir, dbURL := t.TempDir(), createDatabase(t)
	for attempt := 1; ; attempt++ {
		s := &server{DataDir: dataDir, DatabaseURL: dbURL, stderr: &lockedBuffer{}, extraArgs: extraArgs}
		err := s.start(t, bin)
		if err == nil {
			return s
		}
		// The port was free when freeAddr looked; another process may have taken it since.
		if attempt < 3 && strings.Contains(s.stderr.String(), "address already in use") {
			continue
		}
		t.Fatalf("%v\n%s", err, s.stderr.String())
	}
}

// start launches the process and waits until it is ready; once it is, a cleanup stops it. When it is not, start
// returns why, and no process is left behind.
func (s *server) start(t *testing.T, bin string) error {
	t.Helper()
	addr := freeAddr(t)
	s.URL = "http://" + addr
	args := []string{"serve", "--demo", "--addr", addr, "--data-dir", s.DataDir, "--login-rate", "600", "--login-burst", "200"}
	if s.DatabaseURL != "" {
		args = append(args, "--database-url", s.DatabaseURL)
	}
	args = append(args, s.extraArgs...)
	cmd := exec.Command(bin, args...)
	cmd.Env = serverEnv()
	cmd.Stdout = s.stderr
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	deadline := time.Now().Add(30 * time.Second)
	for !s.ready() {
		select {
		case err := <-exited:
			return fmt.Errorf("server exited before it was ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return errors.New("server not ready within 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("server exited with %v after SIGTERM", err)
			}
		case <-time.After(25 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Error("server did not stop within 25s of SIGTERM")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.stderr.String())
		}
	})
	return nil
}

// ready says whether GET /readyz answers 200.
func (s *server) ready() bool {
	resp, err := http.Get(s.URL + "/readyz")
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// serverEnv is the test's environment without the EXAMCERT_* and DATABASE_URL settings a developer may have
// exported: the flags alone decide how the server runs.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "EXAMCERT_") || strings.HasPrefix(kv, "DATABASE_URL=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// freeAddr returns a loopback address with a port nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

var dbSeq atomic.Int64

// createDatabase makes examcert_e2e_<pid>_<n> on the TEST_DATABASE_URL server and returns its URL; it drops the
// database (WITH (FORCE)) when the test ends. Without TEST_DATABASE_URL it returns "" (SQLite).
func createDatabase(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("TEST_DATABASE_URL")
	if admin == "" {
		return ""
	}
	name := fmt.Sprintf("examcert_e2e_%d_%d", os.Getpid(), dbSeq.Add(1))
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	// Generous: CREATE and DROP DATABASE wait for a checkpoint, slow on a loaded machine.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		db.Close()
		t.Fatalf("create database %s: %v", name, err)
	}
	// Registered before the server's own cleanup, so it runs after the server has stopped.
	t.Cleanup(func() {
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// db opens the server's own database, to change what the server holds behind its back.
func (s *server) db(t *testing.T) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", s.DatabaseURL
	if dsn == "" {
		driver = "sqlite"
		dsn = "file:" + filepath.Join(s.DataDir, "examcert.db") + "?_pragma=busy_timeout(15000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// captchaAnswer asks the test hook (a plain HTTP request, not the browser) for the digits of a captcha.
func (s *server) captchaAnswer(t *testing.T, id string) string {
	t.Helper()
	if id == "" {
		t.Fatal("the page has no captcha id")
	}
	resp, err := http.Get(s.URL + "/_test/captcha/" + url.PathEscape(id))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /_test/captcha/%s: %s %s", id, resp.Status, b)
	}
	return strings.TrimSpace(string(b))
}

// get fetches path from the server with a plain client that does not follow redirects.
func get(t *testing.T, base, path string) *http.Response {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := c.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}
