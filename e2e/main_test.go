package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// chromiumPath is the browser the suite drives: Debian's package, never a downloaded one.
const chromiumPath = "/usr/bin/chromium"

// binDir holds the binaries built for this run; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "examcert-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// moduleRoot is the folder holding go.mod, found by walking up from the test's working directory.
var moduleRoot = sync.OnceValues(func() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
})

func root(t *testing.T) string {
	t.Helper()
	dir, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// build compiles ./cmd/examcert once per run for a set of build tags ("" for the shipped binary).
func build(tags string) func(t *testing.T) string {
	once := sync.OnceValues(func() (string, error) {
		dir, err := moduleRoot()
		if err != nil {
			return "", err
		}
		name := "examcert-plain"
		args := []string{"build"}
		if tags != "" {
			name = "examcert-" + tags
			args = append(args, "-tags", tags)
		}
		out := filepath.Join(binDir, name)
		cmd := exec.Command("go", append(args, "-o", out, "./cmd/examcert")...)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go %v: %w\n%s", cmd.Args[1:], err, b)
		}
		return out, nil
	})
	return func(t *testing.T) string {
		t.Helper()
		bin, err := once()
		if err != nil {
			t.Fatal(err)
		}
		return bin
	}
}

var (
	testBinary  = build("testhooks") // with GET /_test/captcha/:id
	plainBinary = build("")          // what ships
)

// requireChromium skips the test when there is no browser, unless E2E_REQUIRED is set (CI): then it fails.
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("E2E_REQUIRED") != "" {
			t.Fatalf("E2E_REQUIRED is set but %s is missing: %v", chromiumPath, err)
		}
		t.Skipf("%s not installed (set E2E_REQUIRED=1 to make this a failure)", chromiumPath)
	}
}

// onceAcrossDatabases marks a browser test whose outcome does not depend on the database: make test runs the
// suite twice (SQLite, then PostgreSQL), and such a test runs only in the first pass. The database's own
// behaviour is covered by the handler and model tests on both; here only the tests where the database matters
// (two server processes on one database) run twice.
func onceAcrossDatabases(t *testing.T) {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") != "" {
		t.Skip("a browser flow the database does not change: it runs in the SQLite pass")
	}
}
