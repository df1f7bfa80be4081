// Package components holds the small pieces pages are built from: form fields, the CSRF field, pagers, alerts.
package components

import "context"

type ctxKey int

const csrfKey ctxKey = iota

// WithCSRF returns a context carrying the request's CSRF token, for CSRFField and the page shell.
func WithCSRF(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, csrfKey, token)
}

// CSRFToken returns the token put in the context by WithCSRF.
func CSRFToken(ctx context.Context) string {
	s, _ := ctx.Value(csrfKey).(string)
	return s
}

// CSRFHeaders is the hx-headers value that makes every htmx request carry the token.
func CSRFHeaders(ctx context.Context) string {
	return `{"X-CSRF-Token":"` + CSRFToken(ctx) + `"}`
}
