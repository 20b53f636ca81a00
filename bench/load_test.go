//go:build unix

package bench

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
)

// loadRetention is the chatinctest.WithRetention of TestSimulatorMixedLoad:
// the newest 100 campaigns (and audiences and variable groups) are kept, so
// that the state, and the campaign list each round reads, stop growing
// after a few seconds. CHATINC_RETENTION=<n> overrides it; 0 keeps
// everything, as the simulator did before it had a retention.
const loadRetention = 100

// TestSimulatorMixedLoad drives chatinctest with a mixed load from 16
// goroutines for CHATINC_LOAD seconds (unset: skipped). Each goroutine, per
// round, creates an audience (IDs reused: 50 per goroutine), fills a
// variable group, creates a campaign run at once, reads its results, lists
// the campaigns and the audiences, and reads the campaign list raw (not
// decoded). It prints, per second, the calls served, the median
// RetrieveCampaigns time through the SDK and read raw, the size of the
// list, and the simulator's own time (chatinctest's Usage: the time in its
// handler per request, and its share of the wall clock of the 16
// goroutines), so that the simulator's throughput can be told apart from
// its clients'; and the live heap at the start, the middle and the end.
// The CPU column is the CPU time the whole process (clients and simulator)
// got in that second, out of the machine's cores: a second where it drops
// is one where the machine ran something else; calls per CPU second is the
// throughput with that taken out. It asserts nothing about
// time: it is a measurement (built on unix only, for getrusage).
//
//	CHATINC_LOAD=30 go test ./bench -run TestSimulatorMixedLoad -v
func TestSimulatorMixedLoad(t *testing.T) {
	secs := 0
	if _, err := fmt.Sscan(os.Getenv("CHATINC_LOAD"), &secs); err != nil || secs <= 0 {
		t.Skip("set CHATINC_LOAD=<seconds> to run the simulator load")
	}
	const workers = 16
	retention := loadRetention
	if v := os.Getenv("CHATINC_RETENTION"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("CHATINC_RETENTION=%q: %v", v, err)
		}
		retention = n
	}
	t.Logf("%d goroutines for %d s; the simulator keeps %d of each kind (WithRetention; 0: all)", workers, secs, retention)
	srv := chatinctest.NewServer(chatinctest.WithRetention(retention))
	defer srv.Close()
	c, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL), chatinc.WithRetryMax(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(secs)*time.Second)
	defer cancel()
	// raw reads the answer of GET /retrieve/campaigns without decoding it:
	// the simulator's own time, apart from the client's.
	raw := func() (time.Duration, int64, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/retrieve/campaigns", nil)
		req.Header.Set("Authorization", srv.APIKey)
		t0 := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, 0, err
		}
		defer resp.Body.Close()
		n, err := io.Copy(io.Discard, resp.Body)
		return time.Since(t0), n, err
	}
	var (
		mu    sync.Mutex
		raws  = make([][]time.Duration, secs+1)
		size  = make([]int64, secs+1)
		lists = make([][]time.Duration, secs+1)
		calls = make([]atomic.Int64, secs+1)
		usage = make([]map[string]chatinctest.Usage, secs+1) // at the end of each second
		cpu   = make([]time.Duration, secs+1)                // the process's CPU time, likewise
		heap  []string
		start = time.Now()
	)
	second := func() int { return min(int(time.Since(start)/time.Second), secs) }
	liveHeap := func(when string) {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		heap = append(heap, fmt.Sprintf("%s %.1f MiB", when, float64(m.HeapAlloc)/(1<<20)))
	}
	liveHeap("start")
	var wg sync.WaitGroup
	wg.Add(1)
	// sample records the simulator's Usage and the CPU time at the end of
	// each second up to the current one that has none yet (a tick late
	// on a busy machine leaves the seconds it missed with nothing served).
	sample := func(upTo int) {
		u, used := srv.Usage(), processCPU()
		for s := range min(upTo, secs) {
			if usage[s] == nil {
				usage[s], cpu[s] = u, used
			}
		}
	}
	go func() { // samples each second, and the heap half way
		defer wg.Done()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		middle := false
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			sample(second())
			if !middle && second() >= secs/2 {
				middle = true
				liveHeap("middle")
			}
		}
	}()
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				id := fmt.Sprintf("aud-%d-%d", g, i%50)
				cs := make([]chatinc.Contact, 20)
				for j := range cs {
					cs[j].Number = fmt.Sprintf("+1555%03d%04d", g, (i*20+j)%10000)
				}
				_, _ = c.CreateAudience(ctx, chatinc.AudienceParams{ID: id, Name: "A", Contacts: cs})
				_, _ = c.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: fmt.Sprintf("g%d", g), Name: fmt.Sprintf("users%d", g),
					Fields: []string{"first_name"}, Values: []chatinc.Row{{Number: cs[0].Number, Values: map[string]string{"first_name": "Ana"}}}})
				r, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "T", Message: fmt.Sprintf("Hi {users%d.first_name}", g)},
					chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{id}})
				if err == nil {
					_, _ = c.RetrieveCampaignDetails(ctx, r.CampaignID)
				}
				t0 := time.Now()
				_, err = c.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{Active: i%2 == 0})
				if err == nil {
					mu.Lock()
					lists[second()] = append(lists[second()], time.Since(t0))
					mu.Unlock()
				}
				_, _ = c.RetrieveAudiences(ctx)
				if d, n, err := raw(); err == nil {
					mu.Lock()
					raws[second()] = append(raws[second()], d)
					size[second()] = n
					mu.Unlock()
				}
				calls[second()].Add(7)
			}
		}()
	}
	wg.Wait()
	sample(secs)
	liveHeap("end")
	p50 := func(l []time.Duration) time.Duration {
		if len(l) == 0 {
			return 0
		}
		slices.Sort(l)
		return l[len(l)/2].Round(10 * time.Microsecond)
	}
	// served returns the requests, handler time and bytes of second s.
	served := func(s int, path string) (n int, took time.Duration, bytes int64) {
		now := usage[s]
		var before chatinctest.Usage
		if s > 0 {
			before = usage[s-1][path]
		}
		u := now[path]
		return u.Requests - before.Requests, u.Handling - before.Handling, u.Bytes - before.Bytes
	}
	perRequest := func(n int, took time.Duration) time.Duration {
		if n == 0 {
			return 0
		}
		return (took / time.Duration(n)).Round(time.Microsecond)
	}
	t.Logf("%6s %7s %5s %7s | %-26s | %-45s", "", "", "", "calls", "RetrieveCampaigns p50", "the simulator's own time")
	t.Logf("%6s %7s %5s %7s | %9s %8s %7s | %10s %10s %11s %10s", "second", "calls", "CPU", "per CPU", "SDK", "raw", "size",
		"per list", "per call", "busy share", "served")
	for s := range secs {
		nl, tl, _ := served(s, "/retrieve/campaigns")
		var n int
		var took time.Duration
		var bytes int64
		for path := range usage[s] {
			pn, pt, pb := served(s, path)
			n, took, bytes = n+pn, took+pt, bytes+pb
		}
		used := cpu[s]
		if s > 0 {
			used -= cpu[s-1]
		}
		perCPU := "-" // too little CPU to say
		if used > 100*time.Millisecond {
			perCPU = fmt.Sprintf("%.0f", float64(calls[s].Load())/used.Seconds())
		}
		t.Logf("%6d %7d %5.2f %7s | %9v %8v %4d KiB | %10v %10v %10.0f%% %6.1f MiB", s+1, calls[s].Load(), used.Seconds(), perCPU,
			p50(lists[s]), p50(raws[s]), size[s]>>10, perRequest(nl, tl), perRequest(n, took), 100*took.Seconds()/workers, float64(bytes)/(1<<20))
	}
	t.Logf("by call, over the whole load:")
	t.Logf("%-28s %9s %10s %12s", "path", "requests", "handler", "answer")
	total := usage[secs-1]
	for _, path := range slices.Sorted(maps.Keys(total)) {
		u := total[path]
		t.Logf("%-28s %9d %10v %8.1f KiB", path, u.Requests, perRequest(u.Requests, u.Handling), float64(u.Bytes)/float64(max(u.Requests, 1))/(1<<10))
	}
	t.Logf("live heap: %v", heap)
}

// processCPU returns the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
