package database

import (
	"context"
	"strings"
	"sync"

	"github.com/uptrace/bun"
)

// Reads is what the statements run with a context from TrackReads read: every name they mention (the tables among
// them), each with its table's counter as it was before the statement ran. A page cache keeps it with the page.
type Reads struct {
	ch       *Changes
	mu       sync.Mutex
	versions Versions
}

type readsKey struct{}

// TrackReads returns ctx noting, in the Reads returned, what every statement run with it reads (through bun; the
// hook is on every database that has Changes).
func (ch *Changes) TrackReads(ctx context.Context) (context.Context, *Reads) {
	r := &Reads{ch: ch}
	return context.WithValue(ctx, readsKey{}, r), r
}

// Versions is what the statements read so far: current while none of it has been written since.
func (r *Reads) Versions() Versions {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.versions
}

// readsHook notes each statement run with a Reads in its context.
type readsHook struct{}

func (readsHook) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	if r, ok := ctx.Value(readsKey{}).(*Reads); ok {
		r.mu.Lock()
		for _, name := range sqlNames(e.Query) {
			r.ch.Read(&r.versions, name)
		}
		r.mu.Unlock()
	}
	return ctx
}

func (readsHook) AfterQuery(context.Context, *bun.QueryEvent) {}

// sqlNames returns the identifiers of a statement (quoted or not; never the text of a string literal, which may
// be what a user typed): every table it reads is among them.
func sqlNames(q string) []string {
	var names []string
	for i := 0; i < len(q); {
		ch := q[i]
		switch {
		case ch == '\'': // a string literal ('' inside it is a quote): skipped
			for i++; i < len(q) && (q[i] != '\'' || i+1 < len(q) && q[i+1] == '\''); i++ {
				if q[i] == '\'' {
					i++
				}
			}
			i++
		case ch == '"':
			j := strings.IndexByte(q[i+1:], '"')
			if j < 0 {
				return names
			}
			names = append(names, q[i+1:i+1+j])
			i += j + 2
		case ch == '_' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z':
			j := i + 1
			for j < len(q) && (q[j] == '_' || q[j] >= 'a' && q[j] <= 'z' || q[j] >= 'A' && q[j] <= 'Z' || q[j] >= '0' && q[j] <= '9') {
				j++
			}
			names = append(names, strings.ToLower(q[i:j]))
			i = j
		case ch >= '0' && ch <= '9' || ch == '$':
			j := i + 1
			for j < len(q) && (q[j] >= '0' && q[j] <= '9' || q[j] == '.' || q[j] == '_' || q[j] >= 'a' && q[j] <= 'z' || q[j] >= 'A' && q[j] <= 'Z') {
				j++
			}
			i = j
		default:
			i++
		}
	}
	return names
}
