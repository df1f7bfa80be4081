package database

import (
	"sync"

	"modernc.org/libc"
)

// SQLite keeps the statement journal of a statement inside a transaction (every INSERT into registrations: its
// triggers) in memory, in chunks of 1 KiB that it allocates for each page the statement changes and frees when the
// statement ends. SQLite's C allocator (modernc.org/libc over modernc.org/memory) gives an emptied 64 KiB slab back
// to the system at once, so every such statement mapped fresh memory and faulted it in: 15 % of the CPU of a
// 报名表 submit under load. pinSlabs keeps a few slabs of that size class from ever being empty by holding one
// chunk in each for the life of the process (256 KiB in all); the journal's chunks then reuse their free slots.
var pinSlabs = sync.OnceFunc(func() {
	const (
		chunk   = 1024         // a journal chunk, as SQLite asks for it (FileChunk + MEMJOURNAL_DFLT_FILECHUNKSIZE − 8)
		header  = 8            // sqlite3MemMalloc's size prefix
		perSlab = 65536 / 2048 // a 1,032-byte block takes a 2 KiB slot; a slab holds fewer (its header), never more
		slabs   = 4
	)
	tls := libc.NewTLS()
	defer tls.Close()
	var blocks []uintptr
	for range slabs * perSlab {
		blocks = append(blocks, libc.Xmalloc(tls, chunk+header))
	}
	// Keep the first block of each slab (blocks come from a slab in order until it is full), free the rest.
	slab := func(p uintptr) uintptr { return p &^ (65536 - 1) }
	kept := map[uintptr]bool{}
	for _, p := range blocks {
		if p == 0 {
			continue
		}
		if !kept[slab(p)] {
			kept[slab(p)] = true
			continue
		}
		libc.Xfree(tls, p)
	}
})
