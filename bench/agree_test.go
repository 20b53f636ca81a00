package bench

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/bench/internal/kit"
)

// agreeRows is the size of the bulk cases in TestBaselinesAgree: the
// bytes are made by the same code at any size.
const agreeRows = 1000

// capturing starts a capture server answering with bodies on n (HTTP/1.1
// loopback or TLS with HTTP/2) and returns it, the SDK and the baseline.
func capturing(t *testing.T, n network, bodies map[string][]byte) (*kit.Capture, *chatinc.Client, *baseline) {
	t.Helper()
	c := kit.NewCapture(bodies)
	sdk, bl := clients(t, n, c, nil)
	return c, sdk, bl
}

// same checks that the SDK's request and each other's are the same, and
// sent over proto.
func same(t *testing.T, what, proto string, got map[string][]kit.Request) {
	t.Helper()
	sdk := got["sdk"]
	if len(sdk) != 1 {
		t.Fatalf("%s: the SDK sent %d requests, want 1", what, len(sdk))
	}
	if sdk[0].Proto != proto {
		t.Errorf("%s: the SDK spoke %s, want %s", what, sdk[0].Proto, proto)
	}
	for who, reqs := range got {
		if who == "sdk" {
			continue
		}
		if len(reqs) != 1 {
			t.Errorf("%s: %s sent %d requests, want 1", what, who, len(reqs))
			continue
		}
		if d := kit.Diff(sdk[0], reqs[0]); d != "" {
			t.Errorf("%s: the SDK's request and %s's differ:\n%s", what, who, d)
		}
	}
}

// TestBaselinesAgree checks every case's baselines against the SDK: the
// same request on the wire (method, URI, protocol, every header and value,
// case included, and the body byte for byte, captured by a loopback
// server), and the same values decoded from the same answer.
func TestBaselinesAgree(t *testing.T) {
	ctx := context.Background()
	for _, n := range []network{loopback, tlsH2} {
		proto := "HTTP/1.1"
		if n.tls {
			proto = "HTTP/2.0"
		}
		t.Run(n.name, func(t *testing.T) {
			t.Run("SmallRead", func(t *testing.T) {
				c, sdk, bl := capturing(t, n, map[string][]byte{"/v1/retrieve/variable/groups": kit.GroupsBody})
				fromSDK, err := sdk.RetrieveVariableGroups(ctx)
				if err != nil {
					t.Fatal(err)
				}
				reqs := map[string][]kit.Request{"sdk": c.Take()}
				plain, err := bl.groups(ctx)
				if err != nil {
					t.Fatal(err)
				}
				reqs["baseline"] = c.Take()
				same(t, "RetrieveVariableGroups", proto, reqs)
				var fromBaseline []chatinc.VariableGroup
				for _, g := range plain {
					fromBaseline = append(fromBaseline, chatinc.VariableGroup(g))
				}
				if len(fromSDK) != 1 || !reflect.DeepEqual(fromSDK, fromBaseline) {
					t.Errorf("decoded: SDK %+v, baseline %+v", fromSDK, fromBaseline)
				}
			})
			t.Run("SmallWrite", func(t *testing.T) {
				c, sdk, bl := capturing(t, n, nil)
				p := kit.Audience()
				r, err := sdk.CreateAudience(ctx, p)
				if err != nil {
					t.Fatal(err)
				}
				reqs := map[string][]kit.Request{"sdk": c.Take()}
				pr, err := bl.write(ctx, "create/audience", kit.PlainAudience{ID: p.ID, Name: p.Name, Description: p.Description, Contacts: p.Contacts})
				if err != nil {
					t.Fatal(err)
				}
				reqs["baseline"] = c.Take()
				same(t, "CreateAudience", proto, reqs)
				sameResult(t, r, pr)
			})
		})
	}
	c, sdk, bl := capturing(t, loopback, nil)
	t.Run("AddContacts", func(t *testing.T) {
		cs := kit.Contacts(agreeRows)
		r, err := sdk.AddContactsToAudience(ctx, "a", cs)
		if err != nil {
			t.Fatal(err)
		}
		reqs := map[string][]kit.Request{"sdk": c.Take()}
		pr, err := bl.write(ctx, "create/audience", kit.PlainAddContacts{ID: "a", Contacts: cs})
		if err != nil {
			t.Fatal(err)
		}
		reqs["baseline"] = c.Take()
		pm, err := bl.marshal(ctx, "create/audience", kit.PlainAddContacts{ID: "a", Contacts: cs})
		if err != nil {
			t.Fatal(err)
		}
		reqs["marshal"] = c.Take()
		pc, err := bl.addContactsChecked(ctx, "a", cs)
		if err != nil {
			t.Fatal(err)
		}
		reqs["checked"] = c.Take()
		same(t, "AddContactsToAudience", "HTTP/1.1", reqs)
		sameResult(t, r, pr)
		sameResult(t, r, pm)
		sameResult(t, r, pc)
	})
	t.Run("CreateVariableGroup", func(t *testing.T) {
		p, plain := kit.Group(agreeRows)
		r, err := sdk.CreateVariableGroup(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		reqs := map[string][]kit.Request{"sdk": c.Take()}
		pr, err := bl.write(ctx, "create/variable/group", plain)
		if err != nil {
			t.Fatal(err)
		}
		reqs["baseline"] = c.Take()
		pm, err := bl.marshal(ctx, "create/variable/group", plain)
		if err != nil {
			t.Fatal(err)
		}
		reqs["marshal"] = c.Take()
		pc, err := bl.createGroupChecked(ctx, plain)
		if err != nil {
			t.Fatal(err)
		}
		reqs["checked"] = c.Take()
		same(t, "CreateVariableGroup", "HTTP/1.1", reqs)
		sameResult(t, r, pr)
		sameResult(t, r, pm)
		sameResult(t, r, pc)
	})
	t.Run("Details", func(t *testing.T) {
		c := kit.NewCapture(nil)
		srv := kit.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c.ServeHTTP(&discard{}, r) // keep the request; the answer is the generated rows
			kit.DetailsHandler(2*agreeRows)(w, r)
		}))
		sdk := kit.SDK(t, srv.URL)
		bl := newBaseline(&http.Client{Transport: kit.Transport()}, srv.URL)
		collected, err := sdk.RetrieveCampaignDetails(ctx, "cmp")
		if err != nil {
			t.Fatal(err)
		}
		reqs := map[string][]kit.Request{"sdk": c.Take()}
		var iterated []chatinc.CampaignDetail
		for d, err := range sdk.CampaignDetails(ctx, "cmp") {
			if err != nil {
				t.Fatal(err)
			}
			iterated = append(iterated, d)
		}
		same(t, "CampaignDetails", "HTTP/1.1", map[string][]kit.Request{"sdk": reqs["sdk"], "iterator": c.Take()})
		if len(collected) != 2*agreeRows || !reflect.DeepEqual(collected, iterated) {
			t.Fatalf("RetrieveCampaignDetails and CampaignDetails disagree: %d and %d rows", len(collected), len(iterated))
		}
		decoded, err := bl.details(ctx)
		if err != nil {
			t.Fatal(err)
		}
		reqs["baseline"] = c.Take()
		tokens, err := bl.detailsTokens(ctx)
		if err != nil {
			t.Fatal(err)
		}
		reqs["tokenloop"] = c.Take()
		var streamed []chatinc.CampaignDetail
		if err := bl.stream(ctx, func(d *kit.PlainDetail) { streamed = append(streamed, d.Detail()) }); err != nil {
			t.Fatal(err)
		}
		reqs["stream"] = c.Take()
		same(t, "RetrieveCampaignDetails", "HTTP/1.1", reqs)
		for who, rows := range map[string][]kit.PlainDetail{"baseline": decoded, "tokenloop": tokens} {
			var got []chatinc.CampaignDetail
			for _, d := range rows {
				got = append(got, d.Detail())
			}
			if !reflect.DeepEqual(collected, got) {
				t.Errorf("%s's rows differ from the SDK's (%d and %d rows)", who, len(got), len(collected))
			}
		}
		if !reflect.DeepEqual(iterated, streamed) {
			t.Errorf("the streaming baseline's rows differ from the iterator's (%d and %d rows)", len(streamed), len(iterated))
		}
	})
	t.Run("Upload", func(t *testing.T) { testUploadAgrees(t) })
	t.Run("Checks", func(t *testing.T) { testChecksAgree(t, sdk, bl) })
}

// discard is a ResponseWriter that throws the answer away.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header {
	if d.h == nil {
		d.h = http.Header{}
	}
	return d.h
}
func (*discard) Write(p []byte) (int, error) { return len(p), nil }
func (*discard) WriteHeader(int)             {}

func sameResult(t *testing.T, r *chatinc.Result, p *kit.PlainResult) {
	t.Helper()
	if r.Status != p.Status || r.Message != p.Message || r.ID != p.ID || r.Status != "success" {
		t.Errorf("decoded: SDK %+v, baseline %+v", r, p)
	}
}

// testUploadAgrees checks the upload's contenders: the hand-written
// multipart sends the SDK's bytes (under the SDK's boundary); the sendfile
// and raw limits send the file alone, byte for byte.
func testUploadAgrees(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "contacts.csv")
	if err := os.WriteFile(file, []byte("number\n+15550100001\n+15550100002\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := kit.NewCapture(nil)
	srv := kit.NewServer(t, c)
	sdk := kit.SDK(t, srv.URL)
	hc := &http.Client{Transport: kit.Transport()}
	if _, err := sdk.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: "a", Name: "A", File: chatinc.FileFromPath(file)}); err != nil {
		t.Fatal(err)
	}
	reqs := map[string][]kit.Request{"sdk": c.Take()}
	if len(reqs["sdk"]) != 1 {
		t.Fatalf("the SDK sent %d requests", len(reqs["sdk"]))
	}
	_, params, err := mime.ParseMediaType(reqs["sdk"][0].Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		t.Fatalf("the SDK's Content-Type %q: %v", reqs["sdk"][0].Header.Get("Content-Type"), err)
	}
	if err := kit.UploadMultipart(ctx, hc, srv.URL, params["boundary"], "a", "A", file); err != nil {
		t.Fatal(err)
	}
	reqs["multipart"] = c.Take()
	same(t, "CreateAudienceFromFile", "HTTP/1.1", reqs)
	want, _ := os.ReadFile(file)
	if err := kit.UploadSendfile(ctx, hc, srv.URL, file); err != nil {
		t.Fatal(err)
	}
	if err := kit.UploadRaw(ctx, srv.URL, file); err != nil {
		t.Fatal(err)
	}
	for i, r := range c.Take() {
		if r.RequestURI != kit.UploadPath || string(r.Body) != string(want) || r.Header.Get("Authorization") != kit.APIKey {
			t.Errorf("limit %d sent %s %s with %d bytes, want the file's %d", i, r.Method, r.RequestURI, len(r.Body), len(want))
		}
	}
}

// testChecksAgree checks that the checked baselines refuse what the SDK
// refuses, and send what it sends.
func testChecksAgree(t *testing.T, sdk *chatinc.Client, bl *baseline) {
	ctx := context.Background()
	numbers := map[string]bool{ // number → accepted
		"+15550100001": true, "15550100001": true, "+1 (555) 010-0001": true, "0044 20 7946 0958": true,
		"+44\u00a020 7946 0958": true, " +15550100001 ": true, "1.555.010.0001": true,
		"": false, " ": false, "+1555": false, "07700 900123": false, "+0155501000": false, "0001555010001": false,
		"+1555abc0001": false, "+1555+0100001": false, "+1234567890123456": false, "+1555_0100001": false, "+１５５５０１００００１": false,
	}
	var vv *chatinc.ValidationError
	for n, ok := range numbers {
		cs := []chatinc.Contact{{Number: "+15550100009"}, {Number: n}}
		_, sdkErr := sdk.AddContactsToAudience(ctx, "a", cs)
		_, blErr := bl.addContactsChecked(ctx, "a", cs)
		if (sdkErr == nil) != ok || (blErr == nil) != ok || (!ok && !errors.As(sdkErr, &vv)) {
			t.Errorf("contact %q: SDK %v, baseline %v; want accepted %v", n, sdkErr, blErr, ok)
		}
	}
	names := map[string]bool{"a": true, "vip list": true, "": false, "  ": false, "a\nb": false, "vip\xff": false, "a\x7f": false}
	for name, ok := range names {
		_, sdkErr := sdk.AddContactsToAudience(ctx, name, kit.Contacts(1))
		_, blErr := bl.addContactsChecked(ctx, name, kit.Contacts(1))
		if (sdkErr == nil) != ok || (blErr == nil) != ok {
			t.Errorf("audience ID %q: SDK %v, baseline %v; want accepted %v", name, sdkErr, blErr, ok)
		}
	}
	if _, err := bl.addContactsChecked(ctx, "a", nil); err == nil {
		t.Error("the checked baseline accepts no contacts")
	}
	groups := map[string]func(*chatinc.VariableGroupParams, *kit.PlainGroupParams){
		"a field named number": func(p *chatinc.VariableGroupParams, q *kit.PlainGroupParams) {
			p.Fields = []string{"number", "last_name", "city"}
			q.Fields = p.Fields
		},
		"a duplicate field": func(p *chatinc.VariableGroupParams, q *kit.PlainGroupParams) {
			p.Fields = []string{"first_name", "last_name", "last_name"}
			q.Fields = p.Fields
		},
		"no fields": func(p *chatinc.VariableGroupParams, q *kit.PlainGroupParams) { p.Fields, q.Fields = nil, nil },
		"a blank field": func(p *chatinc.VariableGroupParams, q *kit.PlainGroupParams) {
			p.Fields = []string{"first_name", " ", "city"}
			q.Fields = p.Fields
		},
		"a bad row number": func(p *chatinc.VariableGroupParams, q *kit.PlainGroupParams) {
			p.Values[1].Number, q.Values[1].Number = "07700 900123", "07700 900123"
		},
		"a value not UTF-8": func(p *chatinc.VariableGroupParams, q *kit.PlainGroupParams) {
			p.Values[1].Values["city"], q.Values[1].City = "Cape\xffTown", "Cape\xffTown"
		},
		"a name with a line break": func(p *chatinc.VariableGroupParams, q *kit.PlainGroupParams) { p.Name, q.Name = "a\nb", "a\nb" },
		"a description not UTF-8": func(p *chatinc.VariableGroupParams, q *kit.PlainGroupParams) {
			p.Description, q.Description = "\xfe", "\xfe"
		},
	}
	for what, spoil := range groups {
		p, q := kit.Group(3)
		spoil(&p, &q)
		_, sdkErr := sdk.CreateVariableGroup(ctx, p)
		_, blErr := bl.createGroupChecked(ctx, q)
		if sdkErr == nil || blErr == nil || !errors.As(sdkErr, &vv) {
			t.Errorf("a group with %s: SDK %v, baseline %v; want both refused", what, sdkErr, blErr)
		}
	}
}

// TestDetailsHandler checks the generated answer: its length, and with
// CHATINC_SCALE_TESTS=1 its rows (a 93 MiB decode at full size, slow
// under -race).
func TestDetailsHandler(t *testing.T) {
	srv := millionServer(t)
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if os.Getenv("CHATINC_SCALE_TESTS") == "" {
		n, err := io.Copy(io.Discard, resp.Body)
		if err != nil || n != resp.ContentLength {
			t.Fatalf("%d bytes of %d, %v", n, resp.ContentLength, err)
		}
		return
	}
	var rows []kit.PlainDetail
	if err := json.NewDecoder(resp.Body).Decode(&rows); err != nil || len(rows) != kit.MillionRows() {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
}
