package jobs_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests send real email to mailpit (github.com/axllent/mailpit), an SMTP server with an HTTP API to read what
// it received. It is built from its own module in testdata/mailpit (go tool), so its dependencies stay out of the
// server's go.mod; the first build takes a minute or two, later ones come from the build cache.

var mailpitBin struct {
	once sync.Once
	path string
	err  error
}

func mailpitPath(t testing.TB) string {
	t.Helper()
	mailpitBin.once.Do(func() {
		dir, err := filepath.Abs(filepath.Join("testdata", "mailpit"))
		if err != nil {
			mailpitBin.err = err
			return
		}
		cmd := exec.Command("go", "tool", "-n", "mailpit")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		out, err := cmd.Output()
		if err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				err = fmt.Errorf("%w: %s", err, ee.Stderr)
			}
			mailpitBin.err = fmt.Errorf("building mailpit: %w", err)
			return
		}
		mailpitBin.path = strings.TrimSpace(string(out))
	})
	if mailpitBin.err != nil {
		t.Fatal(mailpitBin.err)
	}
	return mailpitBin.path
}

// freePort returns a TCP port on 127.0.0.1 nobody listens on (now).
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// mailpit is a running mailpit: its SMTP port and its API.
type mailpit struct {
	SMTPPort int
	API      string
}

// startMailpit runs mailpit with SMTP on smtpPort (0: any free port) until the test ends.
func startMailpit(t testing.TB, smtpPort int) mailpit {
	t.Helper()
	bin := mailpitPath(t)
	if smtpPort == 0 {
		smtpPort = freePort(t)
	}
	httpPort := freePort(t)
	cmd := exec.Command(bin, "--smtp", fmt.Sprintf("127.0.0.1:%d", smtpPort), "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"), "--smtp-auth-accept-any", "--smtp-auth-allow-insecure",
		"--disable-version-check", "--quiet")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	m := mailpit{SMTPPort: smtpPort, API: fmt.Sprintf("http://127.0.0.1:%d/api/v1", httpPort)}
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", smtpPort))
		if err == nil {
			conn.Close()
			if resp, err := http.Get(m.API + "/messages"); err == nil {
				resp.Body.Close()
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("mailpit did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type mailpitMessage struct {
	ID      string
	Subject string
	To      []struct{ Address string }
	Text    string
}

// messages lists what mailpit received, newest first, each with its text body.
func (m mailpit) messages(t *testing.T) []mailpitMessage {
	t.Helper()
	var list struct {
		Total    int
		Messages []mailpitMessage
	}
	m.get(t, "/messages?limit=1000", &list)
	for i := range list.Messages {
		var full mailpitMessage
		m.get(t, "/message/"+list.Messages[i].ID, &full)
		list.Messages[i].Text = full.Text
	}
	return list.Messages
}

func (m mailpit) get(t *testing.T, path string, v any) {
	t.Helper()
	resp, err := http.Get(m.API + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func startMailpitB(b *testing.B) mailpit { return startMailpit(b, 0) }
