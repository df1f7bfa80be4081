package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/uptrace/bun"
)

// Errors of status changes.
var (
	ErrNoTransition   = errors.New("no such status change")
	ErrNotAllowed     = errors.New("the actor's role may not make this change")
	ErrReasonRequired = errors.New("this change needs a reason")
	ErrNothingMoved   = errors.New("no record was in the status to move from") // changed by someone else, or moved already
)

// Transition is one line of a transition table: a record in status From may move to To, by an actor with one of
// Roles; the move is called Action on buttons and audited as Event.
type Transition[S ~string] struct {
	From, To    S
	Roles       []Role
	Action      string // e.g. 开放报名, 审核通过
	Event       string
	NeedsReason bool
}

// Transitions is a kind of record's whole table of allowed status changes. Every status change of such a record
// goes through Apply: one guarded UPDATE (WHERE status = from), so a double click or two people at once move a
// record once; a status_changes row per record moved; one audit row per action.
type Transitions[S ~string] struct {
	Kind  string // the record's kind in status_changes and audit objects: "registration", "plan" …
	Table string // its table, which has id, status, updated_at and version columns
	Lines []Transition[S]
}

// Find returns the line that moves from → to.
func (t Transitions[S]) Find(from, to S) (Transition[S], bool) {
	for _, l := range t.Lines {
		if l.From == from && l.To == to {
			return l, true
		}
	}
	return Transition[S]{}, false
}

// From lists the moves a record in status s can make, in table order, that actor may make.
func (t Transitions[S]) From(s S, actor Actor) []Transition[S] {
	var out []Transition[S]
	for _, l := range t.Lines {
		if l.From == s && slices.Contains(l.Roles, actor.Role()) {
			out = append(out, l)
		}
	}
	return out
}

// Check says whether actor may move a record from → to (with reason, if the move needs one).
func (t Transitions[S]) Check(actor Actor, from, to S, reason string) (Transition[S], error) {
	l, ok := t.Find(from, to)
	switch {
	case !ok:
		return l, ErrNoTransition
	case !slices.Contains(l.Roles, actor.Role()):
		return l, ErrNotAllowed
	case l.NeedsReason && reason == "":
		return l, ErrReasonRequired
	}
	return l, nil
}

// Move is one status change of one or many records: the ids, the line of the table, the batch number shared by
// every record of a batch action (may be empty for a single record), a reason, and any further columns the move
// writes (column → value).
type Move[S ~string] struct {
	IDs      []int64
	From, To S
	BatchNo  string
	Reason   string
	Set      map[string]any
	Version  int // when set (a move of one record read before): it moves only if nobody changed it since
}

// Apply makes a move inside tx (the workflow's transaction) and returns the ids that moved: those still in From.
// Ids already moved, or never in From, are left alone; when none moved it returns ErrNothingMoved.
func (t Transitions[S]) Apply(ctx context.Context, tx bun.IDB, actor Actor, m Move[S]) ([]int64, error) {
	line, err := t.Check(actor, m.From, m.To, m.Reason)
	if err != nil {
		return nil, err
	}
	now := Now()
	var moved []int64
	for i := 0; i < len(m.IDs); i += batchChunk {
		chunk := m.IDs[i:min(i+batchChunk, len(m.IDs))]
		q := tx.NewUpdate().Table(t.Table).Set("status = ?", m.To).Set("updated_at = ?", now).Set("version = version + 1")
		for _, col := range sortedKeys(m.Set) {
			q = q.Set("? = ?", bun.Ident(col), m.Set[col])
		}
		if m.Version != 0 {
			q = q.Where("version = ?", m.Version)
		}
		var ids []int64
		if _, err := q.Where("id IN (?)", bun.List(chunk)).Where("status = ?", m.From).Returning("id").Exec(ctx, &ids); err != nil {
			return nil, err
		}
		moved = append(moved, ids...)
	}
	if len(moved) == 0 {
		return nil, ErrNothingMoved
	}
	slices.Sort(moved)
	if err := t.record(ctx, tx, actor, line, m, moved, now); err != nil {
		return nil, err
	}
	return moved, nil
}

// StatusChange is one row of status_changes: the history of a record's status.
type StatusChange struct {
	bun.BaseModel `bun:"table:status_changes"`

	ID         int64     `bun:"id,pk,autoincrement"`
	RecordKind string    `bun:"record_kind,notnull"`
	RecordID   int64     `bun:"record_id,notnull"`
	FromStatus string    `bun:"from_status,notnull"`
	ToStatus   string    `bun:"to_status,notnull"`
	BatchNo    string    `bun:"batch_no,notnull"`
	AccountID  *int64    `bun:"account_id"`
	Reason     string    `bun:"reason,notnull"`
	ChangedAt  time.Time `bun:"changed_at,notnull"`
}

func (t Transitions[S]) record(ctx context.Context, tx bun.IDB, actor Actor, line Transition[S], m Move[S], moved []int64, now time.Time) error {
	rows := make([]StatusChange, len(moved))
	for i, id := range moved {
		rows[i] = StatusChange{RecordKind: t.Kind, RecordID: id, FromStatus: string(m.From), ToStatus: string(m.To),
			BatchNo: m.BatchNo, AccountID: actor.AccountID(), Reason: m.Reason, ChangedAt: now}
	}
	for i := 0; i < len(rows); i += batchChunk {
		chunk := rows[i:min(i+batchChunk, len(rows))]
		if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return err
		}
	}
	object := t.Kind + ":" + strconv.FormatInt(moved[0], 10)
	if m.BatchNo != "" {
		object = "batch:" + m.BatchNo
	}
	detail := fmt.Sprintf("%s → %s，%d 条", m.From, m.To, len(moved))
	if m.Reason != "" {
		detail += "，理由：" + m.Reason
	}
	return actor.Audit(ctx, tx, line.Event, object, "ok", detail)
}

// StatusHistory is a record's status changes, oldest first.
func StatusHistory(ctx context.Context, db bun.IDB, kind string, id int64) ([]StatusChange, error) {
	var out []StatusChange
	err := db.NewSelect().Model(&out).Where("record_kind = ? AND record_id = ?", kind, id).Order("id").Scan(ctx)
	return out, err
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
