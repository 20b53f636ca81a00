// Package memtest measures what a piece of code costs in memory, for the
// tests and benchmarks that bound it.
package memtest

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

// Use is what a piece of code cost in memory: the bytes it allocated in all
// (runtime.MemStats.TotalAlloc) and the most the heap in use grew above its
// start (HeapInuse, sampled while it ran and once at its end).
type Use struct{ Alloc, PeakHeap uint64 }

// String formats u in MiB.
func (u Use) String() string {
	return fmt.Sprintf("%.2f MiB allocated in all, heap in use peaked %.2f MiB above its start",
		float64(u.Alloc)/(1<<20), float64(u.PeakHeap)/(1<<20))
}

// Measure runs f after a garbage collection, sampling the heap every
// interval while it runs.
func Measure(interval time.Duration, f func()) Use {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var (
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	sample := func() {
		var s runtime.MemStats
		runtime.ReadMemStats(&s)
		if s.HeapInuse > before.HeapInuse {
			peak = max(peak, s.HeapInuse-before.HeapInuse)
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	sample()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	return Use{Alloc: after.TotalAlloc - before.TotalAlloc, PeakHeap: peak}
}
