package handlers_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"examcert/handlers/routes"
)

// Every route name constant names a route of the server, and every named route has a constant: a constant for a
// route that was removed (or never added) would make Reverse answer "" and print links to nowhere.
func TestRouteNamesMatchTheTable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var served []routes.Name
	for _, r := range e.app.Echo.Routes() {
		if r.Name != "" && r.Name != "testhook.captcha" && r.Path != "/static/*" && r.Path != "/static" {
			served = append(served, routes.Name(r.Name))
		}
	}
	for _, n := range routes.All {
		if !slices.Contains(served, n) {
			t.Errorf("routes.%s is not in the route table", n)
		}
		if e.app.Echo.Reverse(string(n)) == "" {
			t.Errorf("Reverse(%q) is empty", n)
		}
	}
	for _, n := range served {
		if !slices.Contains(routes.All, n) {
			t.Errorf("route %q has no constant in handlers/routes", n)
		}
	}
}

// No code outside the tests names a route with a string literal: the constants are the only way in.
func TestNoRouteNameLiterals(t *testing.T) {
	t.Parallel()
	literal := regexp.MustCompile(`Reverse\("|reverse\(c, "|url\(c, "|shell\(c, [^,]+, "`)
	for _, dir := range []string{".", "../views/pages", "../views/layouts", "../views/components"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if filepath.Ext(f) != ".go" || regexp.MustCompile(`_test\.go$`).MatchString(f) {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if loc := literal.FindIndex(b); loc != nil {
				t.Errorf("%s: a route named by a string literal: %q", f, b[loc[0]:min(loc[1]+30, len(b))])
			}
		}
	}
}
