//go:build !unix

package database

import "errors"

// Elsewhere than on Unix the WAL index is not read, so nothing is cached (ChangesOf is nil).
type walIndex struct{}

func openWALIndex(string) (*walIndex, error) {
	return nil, errors.New("the WAL index is read on Unix only")
}

func (*walIndex) counter() (uint32, bool) { return 0, false }
func (*walIndex) close() error            { return nil }
