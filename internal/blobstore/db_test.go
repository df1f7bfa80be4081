package blobstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"examcert/internal/blobstore"
	"examcert/internal/dbtest"
)

// The database store keeps what it is given, in chunks: read whole, streamed, sought into; sized without reading;
// deleted; a failing source stores nothing at all (no chunk, no blob); unknown and malformed keys are ErrNotFound.
func TestDBStore(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	s := blobstore.NewDB(db)
	ctx := context.Background()

	data := make([]byte, 3*256<<10+12345) // three full chunks and a part
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	key, size, err := s.PutReader(ctx, bytes.NewReader(data))
	if err != nil || size != int64(len(data)) {
		t.Fatalf("PutReader: %d, %v", size, err)
	}
	got, err := s.Get(ctx, key)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Get: %d bytes, %v", len(got), err)
	}
	if n, err := s.Size(ctx, key); err != nil || n != len(data) {
		t.Errorf("Size: %d, %v", n, err)
	}
	b, err := s.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, b); err != nil || !bytes.Equal(h.Sum(nil), sha256sum(data)) {
		t.Errorf("streamed copy differs: %v", err)
	}
	for _, at := range []int64{0, 256<<10 - 1, 256 << 10, int64(len(data)) - 10} {
		if _, err := b.Seek(at, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		part := make([]byte, 10)
		if _, err := io.ReadFull(b, part); err != nil || !bytes.Equal(part, data[at:at+10]) {
			t.Errorf("at %d: %v", at, err)
		}
	}
	if end, _ := b.Seek(0, io.SeekEnd); end != int64(len(data)) {
		t.Errorf("SeekEnd: %d", end)
	}
	_ = b.Close()

	small, err := s.Put(ctx, []byte("一寸照片"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, small); string(got) != "一寸照片" {
		t.Errorf("small blob: %q", got)
	}
	empty, err := s.Put(ctx, nil)
	if got, err2 := s.Get(ctx, empty); err != nil || err2 != nil || len(got) != 0 {
		t.Errorf("empty blob: %q %v %v", got, err, err2)
	}

	broken := io.MultiReader(bytes.NewReader(data[:300<<10]), errReader{})
	if _, _, err := s.PutReader(ctx, broken); err == nil {
		t.Fatal("a failing source was stored")
	}
	if n, err := db.NewSelect().Table("blob_chunks").Count(ctx); err != nil || n != 5 {
		t.Errorf("chunks after a failed put: %d (want the 4 + 1 of the stored blobs), %v", n, err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{key, "0123456789abcdef0123456789abcdef", "../etc/passwd", ""} {
		if _, err := s.Get(ctx, k); !errors.Is(err, blobstore.ErrNotFound) {
			t.Errorf("Get %q: %v", k, err)
		}
		if _, err := s.Open(ctx, k); !errors.Is(err, blobstore.ErrNotFound) {
			t.Errorf("Open %q: %v", k, err)
		}
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Errorf("deleting again: %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("source failed") }

func sha256sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
