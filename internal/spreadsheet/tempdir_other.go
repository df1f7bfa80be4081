//go:build !unix

package spreadsheet

import "os"

// checkTempDirOwner: ownership is not checked on this platform; the per-call
// directory is still created by this process.
func checkTempDirOwner(path string, fi os.FileInfo) error { return nil }
