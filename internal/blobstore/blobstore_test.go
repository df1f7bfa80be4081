package blobstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

func newStore(t testing.TB) (*Local, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "blobs", "nested")
	l, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	return l, dir
}

// files lists all regular files under dir, relative to it.
func files(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var keyRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestRoundTrip(t *testing.T) {
	l, dir := newStore(t)
	ctx := context.Background()
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("dir: %v, %v", fi.Mode(), err)
	}
	for _, data := range [][]byte{[]byte("一寸照片"), {}, bytes.Repeat([]byte{0xff, 0xd8, 0}, 400_000)} {
		key, err := l.Put(ctx, data)
		if err != nil {
			t.Fatal(err)
		}
		if !keyRE.MatchString(key) {
			t.Fatalf("key %q", key)
		}
		got, err := l.Get(ctx, key)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("Get: %d bytes, %v; want %d bytes", len(got), err, len(data))
		}
		if n, err := l.Size(ctx, key); err != nil || n != len(data) {
			t.Fatalf("Size: %d, %v; want %d", n, err, len(data))
		}
		p := filepath.Join(dir, key[:2], key)
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("file %s: %v, %v", p, fi.Mode(), err)
		}
		if fi, err := os.Stat(filepath.Dir(p)); err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("shard dir: %v, %v", fi.Mode(), err)
		}
	}
	if n := len(files(t, dir)); n != 3 {
		t.Errorf("%d files, want 3 (no temp files)", n)
	}
}

func TestUnknownKey(t *testing.T) {
	l, _ := newStore(t)
	ctx := context.Background()
	for _, key := range []string{"0123456789abcdef0123456789abcdef", "ffffffffffffffffffffffffffffffff"} {
		if _, err := l.Get(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) = %v", key, err)
		}
		if _, err := l.Size(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Size(%q) = %v", key, err)
		}
	}
	if _, err := l.Size(ctx, "../etc/passwd"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Size of a malformed key = %v", err)
	}
}

func TestMalformedKeys(t *testing.T) {
	l, dir := newStore(t)
	ctx := context.Background()
	// Files a naive filepath.Join(dir, key[:2], key) or filepath.Join(dir, key) would reach.
	secret := filepath.Join(filepath.Dir(dir), "secret")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	good, err := l.Put(ctx, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{
		"",
		"../secret",
		"../../etc/passwd",
		"/etc/passwd",
		secret,
		"..",
		".",
		good[:2],                              // the shard directory
		good[:2] + "/" + good,                 // a path, not a key
		strings.ToUpper(good),                 // upper-case hex
		good[:31],                             // too short
		good + "0",                            // too long
		good[:31] + "g",                       // not hex
		good[:31] + "\x00",                    // NUL
		good[:30] + "/.",                      // separator
		"0123456789abcdef0123456789abc\u00e9", // 32 bytes, not ASCII
		" " + good[1:],
		"..\\..\\windows\\system32\\cfg",
		".tmp-123456789012345678901234567", // a temp file name
	} {
		if _, err := l.Get(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", key, err)
		}
		if err := l.Delete(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Delete(%q) = %v, want ErrNotFound", key, err)
		}
	}
	if _, err := os.Stat(secret); err != nil {
		t.Errorf("secret file: %v", err)
	}
	if got, err := l.Get(ctx, good); err != nil || string(got) != "x" {
		t.Errorf("good key: %q, %v", got, err)
	}
}

func TestDeleteIdempotent(t *testing.T) {
	l, dir := newStore(t)
	ctx := context.Background()
	key, err := l.Put(ctx, []byte("photo"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := l.Delete(ctx, key); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
	}
	if _, err := l.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v", err)
	}
	if err := l.Delete(ctx, "0123456789abcdef0123456789abcdef"); err != nil {
		t.Errorf("Delete of a never-stored key: %v", err)
	}
	if f := files(t, dir); len(f) != 0 {
		t.Errorf("files left: %v", f)
	}
}

func TestPutFailureLeavesNoTempFile(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("disk full")

	t.Run("write fails", func(t *testing.T) {
		l, dir := newStore(t)
		l.write = func(f *os.File, r io.Reader) (int64, error) {
			data, _ := io.ReadAll(r)
			n, _ := f.Write(data[:len(data)/2]) // a partial write, then the failure
			return int64(n), boom
		}
		if _, err := l.Put(ctx, []byte("0123456789")); !errors.Is(err, boom) {
			t.Fatalf("Put = %v", err)
		}
		if f := files(t, dir); len(f) != 0 {
			t.Errorf("files left: %v", f)
		}
	})

	t.Run("rename fails", func(t *testing.T) {
		l, dir := newStore(t)
		l.rename = func(string, string) error { return boom }
		if _, err := l.Put(ctx, []byte("0123456789")); !errors.Is(err, boom) {
			t.Fatalf("Put = %v", err)
		}
		if f := files(t, dir); len(f) != 0 {
			t.Errorf("files left: %v", f)
		}
	})

	t.Run("context cancelled during write", func(t *testing.T) {
		l, dir := newStore(t)
		cctx, cancel := context.WithCancel(ctx)
		l.write = func(f *os.File, r io.Reader) (int64, error) {
			cancel()
			return io.Copy(f, r)
		}
		if _, err := l.Put(cctx, []byte("0123456789")); !errors.Is(err, context.Canceled) {
			t.Fatalf("Put = %v", err)
		}
		if f := files(t, dir); len(f) != 0 {
			t.Errorf("files left: %v", f)
		}
	})

	t.Run("read-only directory", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root ignores directory permissions; the hooks above cover the failure paths")
		}
		l, dir := newStore(t)
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dir, 0o700)
		if _, err := l.Put(ctx, []byte("x")); err == nil {
			t.Fatal("Put into a read-only directory succeeded")
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if f := files(t, dir); len(f) != 0 {
			t.Errorf("files left: %v", f)
		}
	})
}

func TestConcurrentPuts(t *testing.T) {
	l, dir := newStore(t)
	ctx := context.Background()
	const n = 20
	keys := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			keys[i], errs[i] = l.Put(ctx, bytes.Repeat([]byte{byte(i)}, 10_000+i))
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Put %d: %v", i, errs[i])
		}
		if seen[keys[i]] {
			t.Fatalf("duplicate key %s", keys[i])
		}
		seen[keys[i]] = true
		got, err := l.Get(ctx, keys[i])
		if err != nil || len(got) != 10_000+i || got[0] != byte(i) {
			t.Errorf("Get %d: %d bytes, %v", i, len(got), err)
		}
	}
	if f := files(t, dir); len(f) != n {
		t.Errorf("%d files, want %d", len(f), n)
	}
}

func TestCancelledContext(t *testing.T) {
	l, dir := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Put(ctx, []byte("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put = %v", err)
	}
	if _, err := l.Get(ctx, "0123456789abcdef0123456789abcdef"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get = %v", err)
	}
	if err := l.Delete(ctx, "0123456789abcdef0123456789abcdef"); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete = %v", err)
	}
	if f := files(t, dir); len(f) != 0 {
		t.Errorf("files left: %v", f)
	}
}

func TestNewLocal(t *testing.T) {
	if _, err := NewLocal(""); err == nil {
		t.Error("empty dir accepted")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewLocal(filepath.Join(file, "blobs")); err == nil {
		t.Error("dir under a file accepted")
	}
	// A relative directory is made absolute, so a later chdir does not move the store.
	t.Chdir(t.TempDir())
	l, err := NewLocal("rel")
	if err != nil || !filepath.IsAbs(l.dir) {
		t.Fatalf("NewLocal(rel) = %v, %v", l, err)
	}
}

func BenchmarkPut50KB(b *testing.B) {
	l, _ := newStore(b)
	data := bytes.Repeat([]byte("0123456789"), 5_000)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := l.Put(ctx, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet50KB(b *testing.B) {
	l, _ := newStore(b)
	data := bytes.Repeat([]byte("0123456789"), 5_000)
	ctx := context.Background()
	key, err := l.Put(ctx, data)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := l.Get(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}
