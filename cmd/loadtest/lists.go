package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// listConnections is how many connections wrk keeps open against each page.
const listConnections = 16

// pageRate is one page's requests per second under wrk; static marks nginx's, the reference (always last).
type pageRate struct {
	name   string
	bytes  int
	rate   float64
	static bool
}

// measureLists has wrk load a signed-in list page (企业人员信息, the enterprise's staff, 20 rows a page), the
// server's /healthz, and, when nginx is installed, nginx serving a static file of the list page's size (the page
// itself, saved), each for -duration with listConnections connections; every answer must be 200.
func measureLists(ctx context.Context, o options, f *fixture) ([]pageRate, error) {
	base, stop, err := startExamcert(ctx, o, f)
	if err != nil {
		return nil, err
	}
	defer stop()
	session, token, err := signIn(base, f.clerks[0])
	if err != nil {
		return nil, err
	}
	cookie := "examcert_session=" + session + "; examcert_csrf=" + token
	page, err := fetch(base+"/staff", cookie, false)
	if err != nil {
		return nil, err
	}
	if rows := strings.Count(page, "<tr"); rows < 21 {
		return nil, fmt.Errorf("the staff list shows %d table rows, want a header and 20", rows)
	}
	var out []pageRate
	for _, p := range []struct {
		name, url, cookie string
		gzip              bool
	}{
		{"企业人员信息 list (signed in)", base + "/staff", cookie, false},
		{"the same, gzipped (as browsers ask)", base + "/staff", cookie, true},
		{"/healthz", base + "/healthz", "", false},
	} {
		body, err := fetch(p.url, p.cookie, p.gzip)
		if err != nil {
			return nil, err
		}
		rate, err := wrkGet(ctx, o, f, p.url, p.cookie, p.gzip)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
		out = append(out, pageRate{name: p.name, bytes: len(body), rate: rate})
	}
	if _, err := exec.LookPath("nginx"); err != nil {
		fmt.Println("nginx not found: no static reference (apt-get install nginx-light)")
		return out, nil
	}
	static, stopNginx, err := startNginx(ctx, f.dir, page)
	if err != nil {
		return nil, fmt.Errorf("nginx: %w", err)
	}
	defer stopNginx()
	rate, err := wrkGet(ctx, o, f, static, "", false)
	if err != nil {
		return nil, fmt.Errorf("nginx: %w", err)
	}
	return append(out, pageRate{name: "nginx, the same page as a static file", bytes: len(page), rate: rate, static: true}), nil
}

// fetch GETs a page with a cookie and returns its body (as sent: gzipped when gzip asks for it); anything but 200
// is an error.
func fetch(url, cookie string, gzip bool) (string, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Cookie", cookie)
	if gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	} else {
		req.Header.Set("Accept-Encoding", "identity")
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s answered %d", url, resp.StatusCode)
	}
	return string(body), err
}

// wrkGet runs wrk against url (with cookie, if any; asking for gzip, if gzip) and returns requests per second; an
// answer other than 200 is an error.
func wrkGet(ctx context.Context, o options, f *fixture, url, cookie string, gzip bool) (float64, error) {
	script := filepath.Join(f.dir, "get.lua")
	if err := os.WriteFile(script, []byte(getScript), 0o600); err != nil {
		return 0, err
	}
	args := []string{"-t", strconv.Itoa(o.threads), "-c", strconv.Itoa(listConnections), "-d", o.duration.String(), "-s", script}
	if cookie != "" {
		args = append(args, "-H", "Cookie: "+cookie)
	}
	if gzip {
		args = append(args, "-H", "Accept-Encoding: gzip")
	}
	out, err := exec.CommandContext(ctx, "wrk", append(args, url)...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	fmt.Printf("--- wrk %s\n%s---\n", url, out)
	if bad, err := number(`not 200: ([0-9]+)`, out); err != nil || bad > 0 {
		return 0, fmt.Errorf("%v answers other than 200 (%v)", bad, err)
	}
	return number(`Requests/sec:\s+([0-9.]+)`, out)
}

const getScript = `
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write("not 200: " .. total .. "\n")
end
`

// startNginx serves page as a static file from a scratch nginx (one worker per core, no access log) and returns its
// address.
func startNginx(ctx context.Context, dir, page string) (string, func(), error) {
	root := filepath.Join(dir, "static")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", nil, err
	}
	if err := os.WriteFile(filepath.Join(root, "staff.html"), []byte(page), 0o644); err != nil {
		return "", nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	conf := filepath.Join(dir, "nginx.conf")
	// Run as root, nginx would hand its workers to nobody, who cannot enter the scratch folder (0700).
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(`daemon off;
%[4]s
worker_processes auto;
pid %[1]s/nginx.pid;
error_log %[1]s/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    types { text/html html; }
    server { listen %[2]s; root %[3]s; }
}
`, dir, addr, root, user)), 0o600); err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, "nginx", "-p", dir, "-c", conf)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGQUIT)
		_ = cmd.Wait()
	}
	url := "http://" + addr + "/staff.html"
	if err := waitOK(url); err != nil {
		stop()
		return "", nil, err
	}
	return url, stop, nil
}
