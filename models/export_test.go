package models

import "context"

// WithFailureAfterAudit makes every audit row written under ctx be followed by ErrInjected, as if the process
// failed right after it: the workflow's transaction must then leave neither its change nor its audit row.
func WithFailureAfterAudit(ctx context.Context) context.Context {
	return context.WithValue(ctx, failAfterAuditKey{}, ErrInjected)
}
