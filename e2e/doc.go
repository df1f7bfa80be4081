// Package e2e is the browser suite: it builds the real binary, starts it against a throw-away database, and
// drives the system Chromium through the flows a person clicks, once with JavaScript and once without.
// It holds tests only; `go test ./e2e` runs them (CI sets E2E_REQUIRED=1 so a missing browser fails the run).
package e2e
