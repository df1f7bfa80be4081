package blobstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pattern is a reader of n bytes of a repeating, position-dependent pattern, made as it is read.
type pattern struct{ off, n int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		x := p.off + int64(i)
		b[i] = byte(x*31 + x>>11)
	}
	p.off += int64(len(b))
	return len(b), nil
}

// heapPeak samples HeapInuse until stop is closed and returns the highest value seen.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return out
}

// TestLargeBlobStreamsWithBoundedHeap stores a 50 MB stream and reads it back: the heap never grows by anything
// near the blob's size (a Put of the whole content, or a ReadAll, would add at least 50 MB).
func TestLargeBlobStreamsWithBoundedHeap(t *testing.T) {
	const size = 50 << 20
	l, _ := newStore(t)
	ctx := context.Background()
	want := sha256.New()
	if _, err := io.Copy(want, &pattern{n: size}); err != nil {
		t.Fatal(err)
	}

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := make(chan struct{})
	peakc := heapPeak(stop)

	key, n, err := l.PutReader(ctx, &pattern{n: size})
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	got := sha256.New()
	m, err := io.Copy(got, b)
	_ = b.Close()
	close(stop)
	peak := <-peakc
	if err != nil {
		t.Fatal(err)
	}
	if n != size || m != size || b.Size() != size {
		t.Fatalf("stored %d, read %d, Size %d; want %d", n, m, b.Size(), size)
	}
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatal("the blob read back differs from what was stored")
	}
	extra := int64(peak) - int64(base.HeapInuse)
	t.Logf("50 MB stored and read back; heap in use grew by at most %.1f MB", float64(extra)/(1<<20))
	if extra > 20<<20 {
		t.Fatalf("heap grew by %d bytes storing and reading a %d-byte blob", extra, size)
	}
	if sz, err := l.Size(ctx, key); err != nil || sz != size {
		t.Fatalf("Size = %d, %v", sz, err)
	}
}

// failing yields some bytes, then an error.
type failing struct{ sent bool }

var errSource = errors.New("source failed")

func (f *failing) Read(b []byte) (int, error) {
	if f.sent {
		return 0, errSource
	}
	f.sent = true
	return copy(b, "partial"), nil
}

func TestPutReaderErrorStoresNothing(t *testing.T) {
	l, dir := newStore(t)
	if _, _, err := l.PutReader(context.Background(), &failing{}); !errors.Is(err, errSource) {
		t.Fatalf("PutReader = %v", err)
	}
	if f := files(t, dir); len(f) != 0 {
		t.Errorf("files left: %v", f)
	}
}

// TestPutReaderStopsWhenCancelled: a cancelled context stops a copy that would never end.
func TestPutReaderStopsWhenCancelled(t *testing.T) {
	l, dir := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	var read atomic.Int64
	endless := readerFunc(func(b []byte) (int, error) {
		if read.Add(int64(len(b))) > 1<<20 {
			cancel()
		}
		return len(b), nil
	})
	var wg sync.WaitGroup
	wg.Add(1)
	var err error
	go func() { defer wg.Done(); _, _, err = l.PutReader(ctx, endless) }()
	wg.Wait()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("PutReader = %v", err)
	}
	if f := files(t, dir); len(f) != 0 {
		t.Errorf("files left: %v", f)
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(b []byte) (int, error) { return f(b) }

func TestOpenUnknownAndMalformedKeys(t *testing.T) {
	l, _ := newStore(t)
	ctx := context.Background()
	for _, key := range []string{"", "../../etc/passwd", "0123456789abcdef0123456789abcdef"} {
		if _, err := l.Open(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Open(%q) = %v", key, err)
		}
	}
	key, err := l.Put(ctx, []byte("一寸照片"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Seek(3, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(b)
	if string(rest) != "寸照片" || b.Size() != int64(len("一寸照片")) {
		t.Fatalf("read %q, Size %d", rest, b.Size())
	}
}
