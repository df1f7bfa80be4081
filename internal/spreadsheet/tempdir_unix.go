//go:build unix

package spreadsheet

import (
	"os"
	"syscall"
)

// checkTempDirOwner: the directory must belong to this user (or be a sticky
// root-owned directory such as /tmp) and must not be writable by others
// unless it is sticky, so nobody else can swap the per-call directory.
func checkTempDirOwner(path string, fi os.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	sticky := fi.Mode()&os.ModeSticky != 0
	if int(st.Uid) != os.Geteuid() && !(sticky && st.Uid == 0) {
		return errTempDirUnsafe
	}
	if fi.Mode().Perm()&0o022 != 0 && !sticky {
		return errTempDirUnsafe
	}
	return nil
}
