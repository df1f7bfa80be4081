package logbuf_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"examcert/internal/logbuf"
)

type sink struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.b.Write(p)
}

func (s *sink) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// Lines wait for the interval and then go out together, in order; Close writes what is left.
func TestLinesGoOutTogetherAndNoneIsLost(t *testing.T) {
	out := &sink{}
	w := logbuf.New(out, time.Hour) // the interval never comes: only size and Close write
	for i := range 3 {
		w.Write([]byte("line " + string(rune('a'+i)) + "\n"))
	}
	if out.String() != "" {
		t.Fatalf("written before the interval: %q", out.String())
	}
	big := strings.Repeat("x", 40<<10) + "\n"
	w.Write([]byte(big))
	if got := out.String(); got != "line a\nline b\nline c\n"+big || out.writes != 1 {
		t.Fatalf("a batch over 32 KB was not written at once, in one write (%d writes)", out.writes)
	}
	w.Write([]byte("last\n"))
	w.Close()
	if !strings.HasSuffix(out.String(), big+"last\n") {
		t.Fatal("Close lost the last line")
	}
	w.Write([]byte("after\n"))
	if !strings.HasSuffix(out.String(), "last\nafter\n") {
		t.Fatal("a line after Close waited")
	}
}

// The interval writes what has gathered without anyone asking.
func TestTheIntervalWrites(t *testing.T) {
	out := &sink{}
	w := logbuf.New(out, 5*time.Millisecond)
	defer w.Close()
	w.Write([]byte("hello\n"))
	deadline := time.Now().Add(5 * time.Second)
	for out.String() != "hello\n" {
		if time.Now().After(deadline) {
			t.Fatal("the line was never written")
		}
		time.Sleep(time.Millisecond)
	}
}
