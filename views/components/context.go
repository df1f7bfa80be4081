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

const photoToolKey ctxKey = iota + 1

// WithPhotoTool returns a context carrying the address of the public 一寸照片生成 tool, which PhotoToolLink names
// beside every photo field (the render helper sets it from the route table).
func WithPhotoTool(ctx context.Context, url string) context.Context {
	return context.WithValue(ctx, photoToolKey, url)
}

func photoToolURL(ctx context.Context) string {
	s, _ := ctx.Value(photoToolKey).(string)
	return s
}
