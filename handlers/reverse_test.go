package handlers_test

import "testing"

// Every named route of the server is reversed from its kept path, not by echo walking the whole route table.
func TestEveryRouteNameKeptForReverse(t *testing.T) {
	e := newEnv(t)
	for _, r := range e.app.Echo.Routes() {
		if r.Name == "" {
			continue
		}
		if got := e.app.KeptRoutePath(r.Name); got != r.Path {
			t.Errorf("route %s (%s %s): kept path %q", r.Name, r.Method, r.Path, got)
		}
	}
}
