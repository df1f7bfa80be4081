//go:build !unix

package database

import "errors"

// mapWAL: elsewhere than on Unix the WAL index is not mapped, so nothing is cached (ChangesOf is nil).
func mapWAL(string) ([]byte, error) { return nil, errors.New("the WAL index is mapped on Unix only") }
