package models

import (
	"context"
	"errors"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
)

// Actor is who carries out a workflow: the signed-in account (nil before sign-in), and where the request came from.
// Every workflow verb takes one, checks what its role and organization may do, and writes its audit row with it.
type Actor struct {
	Account   *Account // nil: not signed in (sign-in attempts, setup, the public photo tool)
	Typed     string   // for sign-in attempts without an account: the name that was typed
	IP        string   // the real client address (trusted proxies only)
	RequestID string
}

// SystemActor is the actor of a background job: no account, role system, the job's name as the typed name.
func SystemActor(job string) Actor {
	return Actor{Account: &Account{Role: RoleSystem, Username: "system:" + job}}
}

// Role is the actor's role ("" when not signed in).
func (a Actor) Role() Role {
	if a.Account == nil {
		return ""
	}
	return a.Account.Role
}

// OrganizationID is the organization the actor acts for (nil for practitioners, admins and anonymous actors).
func (a Actor) OrganizationID() *int64 {
	if a.Account == nil {
		return nil
	}
	return a.Account.OrganizationID
}

// AccountID is the actor's account id (nil when not signed in, or for an account not stored, as in tests).
func (a Actor) AccountID() *int64 {
	if a.Account == nil || a.Account.ID == 0 {
		return nil
	}
	return &a.Account.ID
}

// Is says whether the actor has one of roles.
func (a Actor) Is(roles ...Role) bool {
	for _, r := range roles {
		if a.Role() == r {
			return true
		}
	}
	return false
}

// Event is an audit row for this actor: who, in what role, for which organization, from where.
func (a Actor) Event(event, object, result, detail string) AuditEvent {
	ev := AuditEvent{Event: event, Object: object, Result: result, Detail: detail, IP: a.IP, RequestID: a.RequestID,
		Username: NormalizeUsername(a.Typed)}
	if a.Account != nil {
		ev.AccountID, ev.Username, ev.Role, ev.OrganizationID = a.AccountID(), a.Account.Username, a.Account.Role, a.Account.OrganizationID
	}
	// The log never holds a full ID number, even a mistyped one someone used as their sign-in name.
	if looksLikeIDNumber(ev.Username) {
		ev.Username = ident.MaskIDNumber(ident.Normalize(ev.Username))
	}
	if r := []rune(ev.Username); len(r) > 64 {
		ev.Username = string(r[:64])
	}
	return ev
}

// Audit writes one audit row for the actor with db, which inside a workflow is the workflow's transaction: the
// change and its audit row commit together or not at all.
func (a Actor) Audit(ctx context.Context, db bun.IDB, event, object, result, detail string) error {
	ev := a.Event(event, object, result, detail)
	return recordAudit(ctx, db, &ev)
}

// looksLikeIDNumber says whether s has the shape of a 身份证号 (18 or 15 characters, digits but for a final X),
// whether or not its check digit is right.
func looksLikeIDNumber(s string) bool {
	s = ident.Normalize(s)
	if len(s) != 18 && len(s) != 15 {
		return false
	}
	for i, r := range s {
		if !(r >= '0' && r <= '9') && !(r == 'X' && i == len(s)-1) {
			return false
		}
	}
	return true
}

// inTx runs a workflow's body in one transaction of db (a savepoint when db is already a transaction).
func inTx(ctx context.Context, db bun.IDB, fn func(ctx context.Context, tx bun.Tx) error) error {
	return db.RunInTx(ctx, nil, fn)
}

// failAfterAuditKey carries, in tests only, an error to raise right after an audit row is written: it proves that
// a workflow's change and its audit row roll back together (see WithFailureAfterAudit in export_test.go).
type failAfterAuditKey struct{}

// ErrInjected is the failure tests inject after an audit row.
var ErrInjected = errors.New("injected failure after the audit row")

func failureAfterAudit(ctx context.Context) error {
	if err, ok := ctx.Value(failAfterAuditKey{}).(error); ok {
		return err
	}
	return nil
}
