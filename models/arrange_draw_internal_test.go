package models

import (
	"encoding/binary"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"testing"
)

// seedN is the n-th test seed: fixed, so these tests always see the same draws.
func seedN(n uint64) []byte {
	s := make([]byte, 32)
	binary.LittleEndian.PutUint64(s, n*0x9e3779b97f4a7c15+1)
	binary.LittleEndian.PutUint64(s[8:], n)
	return s
}

func candidatesN(n int, group func(i int) string) []drawCandidate {
	cs := make([]drawCandidate, n)
	for i := range cs {
		cs[i] = drawCandidate{ID: int64(1000 + i)}
		if group != nil {
			cs[i].EmployerName = group(i)
		}
	}
	return cs
}

func TestTicketNumber(t *testing.T) {
	for _, c := range []struct {
		year, plan, seq int
		want            string
	}{{2027, 1, 1, "270010001"}, {2010, 7, 1, "100070001"}, {2031, 999, 9999, "319999999"}} {
		if got := TicketNumber(c.year, c.plan, c.seq); got != c.want {
			t.Errorf("TicketNumber(%d, %d, %d) = %s, want %s", c.year, c.plan, c.seq, got, c.want)
		}
	}
}

// Each room's share is its exact quota n·c/C rounded down or up, never above its capacity, and the shares add up.
func TestApportionFillsEvenly(t *testing.T) {
	for _, c := range []struct {
		n    int
		caps []int
		want []int
	}{
		{50, []int{30, 30, 30}, []int{17, 17, 16}},
		{30, []int{10, 50}, []int{5, 25}},
		{7, []int{5, 5}, []int{4, 3}},
		{10, []int{10}, []int{10}},
		{3, []int{40, 1, 1}, []int{3, 0, 0}},
	} {
		if got := apportion(c.n, c.caps); !slices.Equal(got, c.want) {
			t.Errorf("apportion(%d, %v) = %v, want %v", c.n, c.caps, got, c.want)
		}
	}
	r := mrand.New(mrand.NewPCG(1, 2))
	for k := 0; k < 2000; k++ {
		caps := make([]int, 1+r.IntN(12))
		total := 0
		for i := range caps {
			caps[i] = 1 + r.IntN(60)
			total += caps[i]
		}
		n := r.IntN(total + 1)
		shares := apportion(n, caps)
		sum := 0
		for i, s := range shares {
			sum += s
			floor, exact := n*caps[i]/total, n*caps[i]%total == 0
			if s > caps[i] || s < floor || s > floor+1 || (exact && s != floor) {
				t.Fatalf("apportion(%d, %v) = %v: room %d's share %d is not its quota %d·%d/%d rounded, or over its capacity",
					n, caps, shares, i, s, n, caps[i], total)
			}
		}
		if sum != n {
			t.Fatalf("apportion(%d, %v) = %v adds up to %d", n, caps, shares, sum)
		}
	}
}

// The draw is a function of the seed alone: the same seed gives the same seats whatever order the candidates are
// read in; another seed gives other seats. Every candidate gets one seat, rooms get their shares.
func TestDrawSeatsIsReproducible(t *testing.T) {
	cands := candidatesN(120, func(i int) string { return fmt.Sprint("单位", i%7) })
	caps := []int{30, 25, 40, 30}
	for _, spread := range []bool{false, true} {
		a := drawSeats(seedN(1), cands, caps, spread)
		rev := slices.Clone(cands)
		slices.Reverse(rev)
		if b := drawSeats(seedN(1), rev, caps, spread); fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("spread=%v: the same seed gave two draws", spread)
		}
		if c := drawSeats(seedN(2), cands, caps, spread); fmt.Sprint(a) == fmt.Sprint(c) {
			t.Errorf("spread=%v: two seeds gave the same draw", spread)
		}
		seen := map[int64]bool{}
		shares := apportion(len(cands), caps)
		for r, seats := range a {
			if len(seats) != shares[r] {
				t.Errorf("spread=%v: room %d has %d, its share is %d", spread, r, len(seats), shares[r])
			}
			for _, id := range seats {
				if seen[id] {
					t.Fatalf("candidate %d seated twice", id)
				}
				seen[id] = true
			}
		}
		if len(seen) != len(cands) {
			t.Errorf("spread=%v: %d of %d seated", spread, len(seen), len(cands))
		}
	}
	// A known draw stays the same draw (a change to the algorithm would break the reproducibility of recorded seeds).
	got := drawSeats(seedN(42), candidatesN(6, nil), []int{3, 3}, false)
	if want := "[[1002 1001 1004] [1000 1003 1005]]"; fmt.Sprint(got) != want {
		t.Errorf("seed 42 draws %v, recorded draws have %s", got, want)
	}
}

// Beijing's draw never moved the last registrant from the last seat. Over 200 draws of 10 candidates in one room,
// the last and the first registrant each land in every seat, about equally often.
func TestDrawSeatsHasNoLastSeatBias(t *testing.T) {
	cands := candidatesN(10, nil)
	const draws = 200
	last, first := make([]int, 10), make([]int, 10)
	for k := uint64(0); k < draws; k++ {
		seats := drawSeats(seedN(1000+k), cands, []int{10}, false)[0]
		last[slices.Index(seats, cands[9].ID)]++
		first[slices.Index(seats, cands[0].ID)]++
	}
	// Expected 20 per seat; a chi-square over 10 seats (9 degrees of freedom) above 27.9 has p < 0.001.
	for name, counts := range map[string][]int{"last": last, "first": first} {
		chi := 0.0
		for seat, n := range counts {
			if n == 0 {
				t.Errorf("the %s registrant never sat in seat %d: %v", name, seat+1, counts)
			}
			chi += float64((n-20)*(n-20)) / 20
		}
		if chi > 27.9 {
			t.Errorf("the %s registrant's seats %v: chi-square %.1f, not uniform", name, counts, chi)
		}
	}
}

// 同单位分散: with rooms of equal capacity, an organization's n candidates land at most ⌈n/R⌉ in any of the R rooms,
// for every organization at once; without the option some draws cluster them.
func TestDrawSeatsSpreadsOrganizations(t *testing.T) {
	r := mrand.New(mrand.NewPCG(3, 4))
	clustered := 0
	for k := uint64(0); k < 300; k++ {
		rooms := 2 + r.IntN(7)
		capacity := 3 + r.IntN(20)
		n := rooms*capacity - r.IntN(capacity)
		orgs := 1 + r.IntN(6)
		cands := candidatesN(n, func(i int) string {
			if r.IntN(4) == 0 {
				return "" // no 工作单位: a group of one
			}
			return fmt.Sprint("单位", r.IntN(orgs))
		})
		caps := make([]int, rooms)
		for i := range caps {
			caps[i] = capacity
		}
		size := map[string]int{}
		for _, c := range cands {
			size[c.group()]++
		}
		check := func(spread bool) bool {
			in := map[string][]int{}
			group := map[int64]string{}
			for _, c := range cands {
				group[c.ID] = c.group()
			}
			for room, seats := range drawSeats(seedN(k), cands, caps, spread) {
				for _, id := range seats {
					g := group[id]
					if in[g] == nil {
						in[g] = make([]int, rooms)
					}
					in[g][room]++
				}
			}
			for g, perRoom := range in {
				if g == "" {
					continue
				}
				limit := (size[g] + rooms - 1) / rooms
				if slices.Max(perRoom) > limit {
					if spread {
						t.Errorf("draw %d: %s's %d candidates over %d rooms: %v, more than %d in a room", k, g, size[g], rooms, perRoom, limit)
					}
					return false
				}
			}
			return true
		}
		check(true)
		if !check(false) {
			clustered++
		}
	}
	if clustered == 0 {
		t.Error("without 同单位分散 no draw clustered an organization: the test shows nothing")
	}
}

// BenchmarkDrawSeats9999 is the draw alone (shuffle, apportion, 同单位分散) of 9,999 candidates over 100 rooms.
func BenchmarkDrawSeats9999(b *testing.B) {
	cands := candidatesN(9999, func(i int) string { return fmt.Sprint("单位", i%37) })
	caps := make([]int, 100)
	for i := range caps {
		caps[i] = 100
	}
	for b.Loop() {
		drawSeats(seedN(7), cands, caps, true)
	}
}
