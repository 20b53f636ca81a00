package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
)

// TestSimulatorMixedLoad drives chatinctest with a mixed load from 16
// goroutines for CHATINC_LOAD seconds (unset: skipped) and prints, per
// second, the calls served and the median RetrieveCampaigns time, and the
// heap at the end. It asserts nothing about time: it is a measurement, run
// by scripts/bench-compare.sh.
func TestSimulatorMixedLoad(t *testing.T) {
	secs := 0
	if _, err := fmt.Sscan(os.Getenv("CHATINC_LOAD"), &secs); err != nil || secs <= 0 {
		t.Skip("set CHATINC_LOAD=<seconds> to run the simulator load")
	}
	srv := chatinctest.NewServer()
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
		start = time.Now()
	)
	second := func() int { return min(int(time.Since(start)/time.Second), secs) }
	var wg sync.WaitGroup
	for g := range 16 {
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
	p50 := func(l []time.Duration) time.Duration {
		if len(l) == 0 {
			return 0
		}
		slices.Sort(l)
		return l[len(l)/2].Round(10 * time.Microsecond)
	}
	for s := range secs {
		t.Logf("second %2d: %6d calls; RetrieveCampaigns p50 %8v through the SDK, %8v read raw (%d KiB)",
			s+1, calls[s].Load(), p50(lists[s]), p50(raws[s]), size[s]>>10)
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	t.Logf("heap in use after the load: %.1f MiB", float64(m.HeapInuse)/(1<<20))
}
