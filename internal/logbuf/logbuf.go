// Package logbuf gathers log lines and writes them out together: every request is logged, and one write to
// stderr per line cost a busy server a twentieth of its CPU. Lines wait at most the flush interval (or until 32 KB
// have gathered); Close writes the rest. A crash that ends the process at once loses at most that interval's lines.
package logbuf

import (
	"io"
	"sync"
	"time"
)

// Writer is an io.Writer for a log handler; it is safe for concurrent use.
type Writer struct {
	mu   sync.Mutex
	out  io.Writer
	buf  []byte
	shut bool // closed: lines are written at once
	stop chan struct{}
	done chan struct{}
}

// flushAt is how many bytes gather before they are written without waiting for the interval.
const flushAt = 32 << 10

// New writes to out what gathered, every interval.
func New(out io.Writer, interval time.Duration) *Writer {
	w := &Writer{out: out, buf: make([]byte, 0, flushAt*2), stop: make(chan struct{}), done: make(chan struct{})}
	go w.loop(interval)
	return w
}

func (w *Writer) loop(interval time.Duration) {
	defer close(w.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			w.Flush()
		case <-w.stop:
			w.Flush()
			return
		}
	}
}

// Write keeps p (one log line) to be written with the next batch.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if w.shut || len(w.buf) >= flushAt {
		return len(p), w.flushLocked()
	}
	return len(p), nil
}

// Flush writes what has gathered.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked()
}

func (w *Writer) flushLocked() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.out.Write(w.buf)
	w.buf = w.buf[:0]
	return err
}

// Close writes what has gathered and stops the interval's writer; later lines are written at once.
func (w *Writer) Close() error {
	select {
	case <-w.stop:
	default:
		close(w.stop)
		<-w.done
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.shut = true
	return w.flushLocked()
}
