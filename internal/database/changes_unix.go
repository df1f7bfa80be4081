//go:build unix

package database

import (
	"encoding/binary"
	"os"
)

// walIndex reads the WAL index's change counter with pread, from a descriptor kept open until the database is
// closed. Never mapped: SQLite shrinks the file when it rebuilds the index (the first connection after all have
// closed, in any process), and a mapping past the end would fault. Never closed while SQLite may use the file:
// closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's included.
type walIndex struct{ f *os.File }

func openWALIndex(path string) (*walIndex, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &walIndex{f: f}, nil
}

// counter is iChange, or ok false when it cannot be read (the index is being rebuilt).
func (w *walIndex) counter() (uint32, bool) {
	var b [4]byte
	if _, err := w.f.ReadAt(b[:], walChangeCounter); err != nil { // pread: no shared file offset
		return 0, false
	}
	return binary.NativeEndian.Uint32(b[:]), true
}

func (w *walIndex) close() error { return w.f.Close() }
