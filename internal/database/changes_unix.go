//go:build unix

package database

import (
	"os"
	"syscall"
)

// mapWAL maps the first page of a WAL index read-only and shared: SQLite's own connections map the same file, so
// what they write there is seen at once.
func mapWAL(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return syscall.Mmap(int(f.Fd()), 0, 4096, syscall.PROT_READ, syscall.MAP_SHARED)
}
