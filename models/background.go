package models

import (
	"context"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// The background job runner (river) runs what the areas of the system register here, so that an area (payment,
// tickets, …) needs to know nothing of the runner, and the runner nothing of the areas.

// PeriodicTask is work done on a schedule, once across all server processes: e.g. 视为放弃 after 缴费截止. Run
// returns how many records it changed (for the jobs page) and must be safe to run twice.
type PeriodicTask struct {
	Name  string // unique, lower-case words with dots: "payment.forfeit"
	Label string // its Chinese name on the jobs page
	Every time.Duration
	Run   func(ctx context.Context, db bun.IDB, now time.Time) (int, error)
}

// DocumentTask makes a large document in the background for the account that asked (an organization's 准考证 in
// one PDF, a room's 考场照片阵列 …): it writes the file to w and returns its download name. It must check, as the
// actor, everything the request would have checked, and keep memory bounded however large the document. Check, when
// set, refuses at request time what Make would refuse (another organization's plan, a forged room is ErrNotFound), so
// that nothing is queued, and no 我的下载 row written, for a request out of the actor's scope.
type DocumentTask struct {
	Name  string // unique: "tickets.organization"
	Label string // 打印准考证（全部）
	Make  func(ctx context.Context, db bun.IDB, actor Actor, params map[string]string, w io.Writer) (filename string, err error)
	Check func(ctx context.Context, db bun.IDB, actor Actor, params map[string]string) error
}

var background struct {
	sync.Mutex
	periodic  []PeriodicTask
	documents map[string]DocumentTask
}

// RegisterPeriodic adds a periodic task (from an area's init); a second task of the same name panics.
func RegisterPeriodic(t PeriodicTask) {
	background.Lock()
	defer background.Unlock()
	if slices.ContainsFunc(background.periodic, func(x PeriodicTask) bool { return x.Name == t.Name }) {
		panic("periodic task registered twice: " + t.Name)
	}
	background.periodic = append(background.periodic, t)
}

// PeriodicTasks lists the registered periodic tasks by name.
func PeriodicTasks() []PeriodicTask {
	background.Lock()
	defer background.Unlock()
	out := slices.Clone(background.periodic)
	slices.SortFunc(out, func(a, b PeriodicTask) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// RegisterDocument adds a document task (from an area's init); a second task of the same name panics.
func RegisterDocument(t DocumentTask) {
	background.Lock()
	defer background.Unlock()
	if background.documents == nil {
		background.documents = map[string]DocumentTask{}
	}
	if _, dup := background.documents[t.Name]; dup {
		panic("document task registered twice: " + t.Name)
	}
	background.documents[t.Name] = t
}

// DocumentTaskNamed finds a registered document task.
func DocumentTaskNamed(name string) (DocumentTask, bool) {
	background.Lock()
	defer background.Unlock()
	t, ok := background.documents[name]
	return t, ok
}
