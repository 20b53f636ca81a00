package restybench

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/bench/internal/kit"
	"github.com/go-resty/resty/v2"
)

// newResty is resty as its users set it up: a base URL, the SDK's headers
// on every request, no retries, and the transport every side of the
// benchmarks gets (kit.Transport).
func newResty(baseURL string, t http.RoundTripper) *resty.Client {
	return resty.New().SetTransport(t).SetBaseURL(baseURL+"/v1").SetRetryCount(0).SetContentLength(true).
		SetHeader("Authorization", kit.APIKey).
		SetHeader("User-Agent", kit.UserAgent).
		SetHeader("Accept", "application/json")
}

// groups is the small read: RetrieveVariableGroups.
func groups(ctx context.Context, c *resty.Client) ([]kit.PlainGroup, error) {
	var g []kit.PlainGroup
	resp, err := c.R().SetContext(ctx).SetResult(&g).Post("/retrieve/variable/groups")
	return g, check(resp, err)
}

// write POSTs body as JSON and decodes the answer.
func write(ctx context.Context, c *resty.Client, path string, body any) (*kit.PlainResult, error) {
	var r kit.PlainResult
	resp, err := c.R().SetContext(ctx).SetHeader("Content-Type", "application/json").SetBody(body).SetResult(&r).Post(path)
	return &r, check(resp, err)
}

// details collects a campaign's results.
func details(ctx context.Context, c *resty.Client) ([]kit.PlainDetail, error) {
	var rows []kit.PlainDetail
	resp, err := c.R().SetContext(ctx).SetHeader("Content-Type", "application/json").
		SetBody(kit.DetailsRequest).SetResult(&rows).Post("/retrieve/campaign")
	return rows, check(resp, err)
}

func check(resp *resty.Response, err error) error {
	if err == nil && !resp.IsSuccess() {
		err = fmt.Errorf("status %d", resp.StatusCode())
	}
	return err
}

// clients starts a server of h (TLS with HTTP/2 when tls is set; memBody
// non-nil: none, an in-memory transport) and returns the SDK and resty,
// each with a transport of its own.
func clients(tb testing.TB, tls bool, h http.Handler, memBody []byte) (*chatinc.Client, *resty.Client) {
	switch {
	case memBody != nil:
		t := kit.MemTransport{Body: memBody}
		return kit.SDK(tb, "http://127.0.0.1:1", chatinc.WithHTTPClient(&http.Client{Transport: t})), newResty("http://127.0.0.1:1", t)
	case tls:
		srv := kit.NewTLSServer(tb, h)
		return kit.SDK(tb, srv.URL, chatinc.WithHTTPClient(&http.Client{Transport: kit.TLSTransport(srv)})), newResty(srv.URL, kit.TLSTransport(srv))
	default:
		srv := kit.NewServer(tb, h)
		return kit.SDK(tb, srv.URL), newResty(srv.URL, kit.Transport())
	}
}

func wantLen(got, want int, err error) error {
	if err == nil && got != want {
		err = fmt.Errorf("%d items, want %d", got, want)
	}
	return err
}

func smallHandler() http.Handler {
	return kit.Handler(map[string][]byte{"/v1/retrieve/variable/groups": kit.GroupsBody})
}

// BenchmarkSmallRead: RetrieveVariableGroups against resty's POST with
// SetResult, in memory, over HTTP/1.1 loopback and over TLS with HTTP/2.
func BenchmarkSmallRead(b *testing.B) {
	ctx := context.Background()
	for _, n := range []struct {
		name     string
		tls, mem bool
	}{{"inmemory", false, true}, {"loopback", false, false}, {"tls-h2", true, false}} {
		b.Run(n.name, func(b *testing.B) {
			var mem []byte
			if n.mem {
				mem = kit.GroupsBody
			}
			sdk, rc := clients(b, n.tls, smallHandler(), mem)
			kit.Pair(b, 1, kit.Call{Name: "sdk", Do: func() error {
				g, err := sdk.RetrieveVariableGroups(ctx)
				return wantLen(len(g), 1, err)
			}}, kit.Call{Name: "resty", Do: func() error {
				g, err := groups(ctx, rc)
				return wantLen(len(g), 1, err)
			}})
		})
	}
}

// BenchmarkSmallWrite: CreateAudience with 10 contacts against resty's
// SetBody of the same params.
func BenchmarkSmallWrite(b *testing.B) {
	ctx := context.Background()
	sdk, rc := clients(b, false, kit.Handler(nil), nil)
	p := kit.Audience()
	plain := kit.PlainAudience{ID: p.ID, Name: p.Name, Description: p.Description, Contacts: p.Contacts}
	kit.Pair(b, 1, kit.Call{Name: "sdk", Do: func() error {
		_, err := sdk.CreateAudience(ctx, p)
		return err
	}}, kit.Call{Name: "resty", Do: func() error {
		_, err := write(ctx, rc, "/create/audience", plain)
		return err
	}})
}

// BenchmarkAddContacts100k: AddContactsToAudience with 100,000 contacts.
func BenchmarkAddContacts100k(b *testing.B) {
	ctx := context.Background()
	sdk, rc := clients(b, false, kit.Handler(nil), nil)
	cs := kit.Contacts(kit.Rows(100_000))
	kit.Pair(b, 1, kit.Call{Name: "sdk", Do: func() error {
		_, err := sdk.AddContactsToAudience(ctx, "a", cs)
		return err
	}}, kit.Call{Name: "resty", Do: func() error {
		_, err := write(ctx, rc, "/create/audience", kit.PlainAddContacts{ID: "a", Contacts: cs})
		return err
	}})
}

// BenchmarkCreateVariableGroup100k: CreateVariableGroup with 100,000 rows ×
// 3 fields, timed and under kit.PeakHeap.
func BenchmarkCreateVariableGroup100k(b *testing.B) {
	ctx := context.Background()
	sdk, rc := clients(b, false, kit.Handler(nil), nil)
	p, plain := kit.Group(kit.Rows(100_000))
	calls := []kit.Call{{Name: "sdk", Do: func() error {
		_, err := sdk.CreateVariableGroup(ctx, p)
		return err
	}}, {Name: "resty", Do: func() error {
		_, err := write(ctx, rc, "/create/variable/group", plain)
		return err
	}}}
	b.Run("time", func(b *testing.B) { kit.Pair(b, 1, calls...) })
	b.Run("heap", func(b *testing.B) {
		kit.Sides(b, kit.Side{Name: "sdk", Run: kit.PeakHeap(calls[0].Do)}, kit.Side{Name: "resty", Run: kit.PeakHeap(calls[1].Do)})
	})
}

// BenchmarkRetrieveCampaignDetails1M: 1M result rows (93 MiB) collected;
// resty reads the whole answer, then decodes it.
func BenchmarkRetrieveCampaignDetails1M(b *testing.B) {
	ctx := context.Background()
	sdk, rc := clients(b, false, kit.DetailsHandler(kit.MillionRows()), nil)
	rows := kit.MillionRows()
	kit.Sides(b, kit.Side{Name: "sdk", Run: kit.PeakHeap(func() error {
		d, err := sdk.RetrieveCampaignDetails(ctx, "cmp")
		return wantLen(len(d), rows, err)
	})}, kit.Side{Name: "resty", Run: kit.PeakHeap(func() error {
		d, err := details(ctx, rc)
		return wantLen(len(d), rows, err)
	})})
}

// TestRestyAgrees checks that every resty call sends the SDK's request
// (method, URI, protocol, every header and value, and the body byte for
// byte, captured by a loopback server) and decodes the same values.
func TestRestyAgrees(t *testing.T) {
	ctx := context.Background()
	for _, tls := range []bool{false, true} {
		proto := map[bool]string{false: "HTTP/1.1", true: "HTTP/2.0"}[tls]
		t.Run(proto, func(t *testing.T) {
			c := kit.NewCapture(map[string][]byte{"/v1/retrieve/variable/groups": kit.GroupsBody, "/v1/retrieve/campaign": kit.DetailsBody(100)})
			sdk, rc := clients(t, tls, c, nil)
			compare := func(what string) {
				t.Helper()
				got := c.Take()
				if len(got) != 2 {
					t.Fatalf("%s: %d requests, want 2", what, len(got))
				}
				if got[0].Proto != proto {
					t.Errorf("%s: the SDK spoke %s, want %s", what, got[0].Proto, proto)
				}
				if d := kit.Diff(got[0], got[1]); d != "" {
					t.Errorf("%s: the SDK's request and resty's differ:\n%s", what, d)
				}
			}
			sg, err := sdk.RetrieveVariableGroups(ctx)
			if err != nil {
				t.Fatal(err)
			}
			rg, err := groups(ctx, rc)
			if err != nil {
				t.Fatal(err)
			}
			compare("RetrieveVariableGroups")
			var conv []chatinc.VariableGroup
			for _, g := range rg {
				conv = append(conv, chatinc.VariableGroup(g))
			}
			if len(sg) != 1 || !reflect.DeepEqual(sg, conv) {
				t.Errorf("decoded: SDK %+v, resty %+v", sg, conv)
			}
			p := kit.Audience()
			writes := []struct {
				what string
				sdk  func() (*chatinc.Result, error)
				path string
				body any
			}{
				{"CreateAudience", func() (*chatinc.Result, error) { return sdk.CreateAudience(ctx, p) },
					"/create/audience", kit.PlainAudience{ID: p.ID, Name: p.Name, Description: p.Description, Contacts: p.Contacts}},
				{"AddContactsToAudience", func() (*chatinc.Result, error) { return sdk.AddContactsToAudience(ctx, "a", kit.Contacts(1000)) },
					"/create/audience", kit.PlainAddContacts{ID: "a", Contacts: kit.Contacts(1000)}},
			}
			gp, plain := kit.Group(1000)
			writes = append(writes, struct {
				what string
				sdk  func() (*chatinc.Result, error)
				path string
				body any
			}{"CreateVariableGroup", func() (*chatinc.Result, error) { return sdk.CreateVariableGroup(ctx, gp) }, "/create/variable/group", plain})
			for _, w := range writes {
				sr, err := w.sdk()
				if err != nil {
					t.Fatal(err)
				}
				rr, err := write(ctx, rc, w.path, w.body)
				if err != nil {
					t.Fatal(err)
				}
				compare(w.what)
				if sr.Status != rr.Status || sr.Message != rr.Message || sr.ID != rr.ID || sr.Status != "success" {
					t.Errorf("%s decoded: SDK %+v, resty %+v", w.what, sr, rr)
				}
			}
			sd, err := sdk.RetrieveCampaignDetails(ctx, "cmp")
			if err != nil {
				t.Fatal(err)
			}
			rd, err := details(ctx, rc)
			if err != nil {
				t.Fatal(err)
			}
			compare("RetrieveCampaignDetails")
			var convd []chatinc.CampaignDetail
			for _, d := range rd {
				convd = append(convd, d.Detail())
			}
			if len(sd) != 100 || !reflect.DeepEqual(sd, convd) {
				t.Errorf("RetrieveCampaignDetails: SDK %d rows, resty %d, or they differ", len(sd), len(convd))
			}
		})
	}
}
