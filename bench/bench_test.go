package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/bench/internal/kit"
)

// Each benchmark runs its sides (sdk, and one or more baselines) as
// sub-benchmarks one after the other (kit.Sides); run N times by
// scripts/bench-compare.sh, which flips their order from run to run, they
// alternate, and the script reports min, median and max of each and the
// SDK's ratio to each baseline.

// A network is how a case reaches its server, and from how many
// goroutines.
type network struct {
	name       string
	tls        bool // HTTP/2 over TLS; otherwise HTTP/1.1
	inMemory   bool // no server: kit.MemTransport
	goroutines int
}

var (
	inMemory  = network{name: "inmemory", inMemory: true, goroutines: 1}
	loopback  = network{name: "loopback", goroutines: 1}
	loopback6 = network{name: "loopback-64", goroutines: 64}
	tlsH2     = network{name: "tls-h2", tls: true, goroutines: 1}
	tlsH264   = network{name: "tls-h2-64", tls: true, goroutines: 64}
)

// clients starts a server of h on n and returns the SDK and the baseline,
// each with a transport of its own made by kit (the same pool size; over
// TLS the same root pool, HTTP/2).
func clients(tb testing.TB, n network, h http.Handler, memBody []byte) (*chatinc.Client, *baseline) {
	switch {
	case n.inMemory:
		hc := &http.Client{Transport: kit.MemTransport{Body: memBody}}
		return kit.SDK(tb, "http://127.0.0.1:1", chatinc.WithHTTPClient(hc)), newBaseline(hc, "http://127.0.0.1:1")
	case n.tls:
		srv := kit.NewTLSServer(tb, h)
		sdkHC := &http.Client{Transport: kit.TLSTransport(srv)}
		return kit.SDK(tb, srv.URL, chatinc.WithHTTPClient(sdkHC)), newBaseline(&http.Client{Transport: kit.TLSTransport(srv)}, srv.URL)
	default:
		srv := kit.NewServer(tb, h)
		return kit.SDK(tb, srv.URL), newBaseline(&http.Client{Transport: kit.Transport()}, srv.URL)
	}
}

func smallHandler() http.Handler {
	return kit.Handler(map[string][]byte{"/v1/retrieve/variable/groups": kit.GroupsBody})
}

// BenchmarkSmallRead: RetrieveVariableGroups (a 54-byte answer) against the
// baseline's POST and one Decode into []PlainGroup; in memory, over
// HTTP/1.1 loopback and over TLS with HTTP/2, from 1 and 64 goroutines.
func BenchmarkSmallRead(b *testing.B) {
	ctx := context.Background()
	for _, n := range []network{inMemory, loopback, loopback6, tlsH2, tlsH264} {
		b.Run(n.name, func(b *testing.B) {
			sdk, bl := clients(b, n, smallHandler(), kit.GroupsBody)
			kit.Pair(b, n.goroutines, kit.Call{Name: "sdk", Do: func() error {
				g, err := sdk.RetrieveVariableGroups(ctx)
				return wantLen(len(g), 1, err)
			}}, kit.Call{Name: "baseline", Do: func() error {
				g, err := bl.groups(ctx)
				return wantLen(len(g), 1, err)
			}})
		})
	}
}

func wantLen(got, want int, err error) error {
	if err == nil && got != want {
		err = fmt.Errorf("%d items, want %d", got, want)
	}
	return err
}

// BenchmarkSmallWrite: CreateAudience with 10 contacts against the
// baseline's pooled encoding of the same params, over HTTP/1.1 loopback
// and over TLS with HTTP/2, from 1 and 64 goroutines.
func BenchmarkSmallWrite(b *testing.B) {
	ctx := context.Background()
	p := kit.Audience()
	plain := kit.PlainAudience{ID: p.ID, Name: p.Name, Description: p.Description, Contacts: p.Contacts}
	for _, n := range []network{loopback, tlsH2, tlsH264} {
		b.Run(n.name, func(b *testing.B) {
			sdk, bl := clients(b, n, kit.Handler(nil), nil)
			kit.Pair(b, n.goroutines, kit.Call{Name: "sdk", Do: func() error {
				_, err := sdk.CreateAudience(ctx, p)
				return err
			}}, kit.Call{Name: "baseline", Do: func() error {
				_, err := bl.write(ctx, "create/audience", plain)
				return err
			}})
		})
	}
}

// bulk runs a bulk write's sides twice: timed ("time"), then each call
// under kit.PeakHeap ("heap"), whose sampling and collection before each
// call would distort the time.
func bulk(b *testing.B, calls ...kit.Call) {
	b.Run("time", func(b *testing.B) { kit.Pair(b, 1, calls...) })
	b.Run("heap", func(b *testing.B) {
		sides := make([]kit.Side, len(calls))
		for i, c := range calls {
			sides[i] = kit.Side{Name: c.Name, Run: kit.PeakHeap(c.Do)}
		}
		kit.Sides(b, sides...)
	})
}

// BenchmarkAddContacts100k: AddContactsToAudience with 100,000 contacts
// against the bare baseline (pooled encoding, no checks), json.Marshal's
// new body per call ("marshal"), and the checked one (the SDK's checks, by
// hand, then the pooled encoding).
func BenchmarkAddContacts100k(b *testing.B) {
	ctx := context.Background()
	sdk, bl := clients(b, loopback, kit.Handler(nil), nil)
	cs := kit.Contacts(kit.Rows(100_000))
	bulk(b, kit.Call{Name: "sdk", Do: func() error {
		_, err := sdk.AddContactsToAudience(ctx, "a", cs)
		return err
	}}, kit.Call{Name: "baseline", Do: func() error {
		_, err := bl.write(ctx, "create/audience", kit.PlainAddContacts{ID: "a", Contacts: cs})
		return err
	}}, kit.Call{Name: "marshal", Do: func() error {
		_, err := bl.marshal(ctx, "create/audience", kit.PlainAddContacts{ID: "a", Contacts: cs})
		return err
	}}, kit.Call{Name: "checked", Do: func() error {
		_, err := bl.addContactsChecked(ctx, "a", cs)
		return err
	}})
}

// BenchmarkCreateVariableGroup100k: CreateVariableGroup with 100,000 rows ×
// 3 fields (the SDK's rows are maps) against the bare baseline (a plain
// struct per row, pooled encoding), json.Marshal of the same ("marshal")
// and the checked one.
func BenchmarkCreateVariableGroup100k(b *testing.B) {
	ctx := context.Background()
	sdk, bl := clients(b, loopback, kit.Handler(nil), nil)
	p, plain := kit.Group(kit.Rows(100_000))
	bulk(b, kit.Call{Name: "sdk", Do: func() error {
		_, err := sdk.CreateVariableGroup(ctx, p)
		return err
	}}, kit.Call{Name: "baseline", Do: func() error {
		_, err := bl.write(ctx, "create/variable/group", plain)
		return err
	}}, kit.Call{Name: "marshal", Do: func() error {
		_, err := bl.marshal(ctx, "create/variable/group", plain)
		return err
	}}, kit.Call{Name: "checked", Do: func() error {
		_, err := bl.createGroupChecked(ctx, plain)
		return err
	}})
}

func millionServer(tb testing.TB) *httptest.Server {
	return kit.NewServer(tb, kit.DetailsHandler(kit.MillionRows()))
}

// BenchmarkRetrieveCampaignDetails1M: 1M result rows (93 MiB) collected,
// against one Decode of the array ("baseline", which holds the answer) and
// a token loop decoding each row into the same struct ("tokenloop"); time,
// allocations and peak heap.
func BenchmarkRetrieveCampaignDetails1M(b *testing.B) {
	ctx := context.Background()
	srv := millionServer(b)
	sdk := kit.SDK(b, srv.URL)
	bl := newBaseline(&http.Client{Transport: kit.Transport()}, srv.URL)
	rows := kit.MillionRows()
	kit.Sides(b, kit.Side{Name: "sdk", Run: kit.PeakHeap(func() error {
		d, err := sdk.RetrieveCampaignDetails(ctx, "cmp")
		return wantLen(len(d), rows, err)
	})}, kit.Side{Name: "baseline", Run: kit.PeakHeap(func() error {
		d, err := bl.details(ctx)
		return wantLen(len(d), rows, err)
	})}, kit.Side{Name: "tokenloop", Run: kit.PeakHeap(func() error {
		d, err := bl.detailsTokens(ctx)
		return wantLen(len(d), rows, err)
	})})
}

// BenchmarkCampaignDetailsIterator1M: the same rows through the iterator,
// against the token loop turning each row into the same CampaignDetail
// (with its Columns map) the SDK yields.
func BenchmarkCampaignDetailsIterator1M(b *testing.B) {
	ctx := context.Background()
	srv := millionServer(b)
	sdk := kit.SDK(b, srv.URL)
	bl := newBaseline(&http.Client{Transport: kit.Transport()}, srv.URL)
	rows := kit.MillionRows()
	var sink int
	kit.Sides(b, kit.Side{Name: "sdk", Run: kit.PeakHeap(func() error {
		n, sum := 0, 0
		for d, err := range sdk.CampaignDetails(ctx, "cmp") {
			if err != nil {
				return err
			}
			n, sum = n+1, sum+len(d.Number)+len(d.Columns)
		}
		sink = sum
		return wantLen(n, rows, nil)
	})}, kit.Side{Name: "baseline", Run: kit.PeakHeap(func() error {
		n, sum := 0, 0
		err := bl.stream(ctx, func(r *kit.PlainDetail) {
			d := r.Detail()
			n, sum = n+1, sum+len(d.Number)+len(d.Columns)
		})
		sink = sum
		return wantLen(n, rows, err)
	})})
	_ = sink
}
