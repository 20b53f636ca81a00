package chatinc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/internal/wire"
)

// Fuzz targets for the exported types' UnmarshalJSON and for a whole
// answer going through the client: whatever the server sends, the SDK
// returns a value or an error, never panics.

var decodeSeeds = []string{
	`{"campaignId":"c1","title":"T","message":"Hi {contact.name}","imgUrl":"https://x/y.png","locale":"enUS",
	  "buttons":[{"text":"Go","type":"url","url":"https://x"}],"variables":["contact.name"],
	  "runs":[{"runId":"r1","audiences":["a"],"timeToRun":1700000000,"status":"done","contacts":"12"}],
	  "totalSent":"10","totalDelivered":9,"totalRead":7.0,"whatsAppTemplatesStatus":"APPROVED"}`,
	`{"campaignId":12,"buttons":"none","runs":{},"totalSent":null}`,
	`{"number":"+15550000001","action":"read","time":1700000000,"meta":{"a":[1]},"ok":true}`,
	`{"number":15550000001,"name":"Ana","age":31,"vip":false,"note":null}`,
	`{"status":"success","message":"ok","id":"aud-1","campaignId":"c1","runId":"r1"}`,
	`[{"status":"success","campaignId":"c1"}]`, `[]`, `[1]`,
	`{"id":"a","name":"A","description":"d","contactCount":"3"}`,
	`{"name":"contact","fields":["name",7,null]}`,
	`{"number":null}`, `{}`, `null`, `[]`, `"x"`, `12`, `{"number":{"nested":1}}`,
	`{"totalSent":1e400}`, `{"totalSent":"9007199254740993"}`, `{"runs":[{"timeToRun":"2024-01-02T03:04:05Z"}]}`,
}

// FuzzUnmarshal decodes any input into each exported response type.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var (
			campaign chatinc.Campaign
			detail   chatinc.CampaignDetail
			result   chatinc.Result
			row      chatinc.Row
			audience chatinc.Audience
			group    chatinc.VariableGroup
			contact  chatinc.Contact
		)
		for _, v := range []json.Unmarshaler{&campaign, &detail, &result, &row, &audience, &group, &contact} {
			_ = v.UnmarshalJSON(data)
		}
		if result.UnmarshalJSON(data) == nil && !bytes.Equal(result.Raw, data) {
			t.Fatalf("Result.Raw = %q, want the body", result.Raw)
		}
		if campaign.UnmarshalJSON(data) == nil && !bytes.Equal(campaign.Raw, data) {
			t.Fatalf("Campaign.Raw = %q, want the body", campaign.Raw)
		}
		// A Row that decodes encodes to JSON that decodes to the same Row.
		if row.UnmarshalJSON(data) == nil {
			enc, err := row.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			var back chatinc.Row
			if err := json.Unmarshal(enc, &back); err != nil || back.Number != row.Number || !sameValues(back.Values, row.Values) {
				t.Fatalf("Row %+v → %s → %+v (%v)", row, enc, back, err)
			}
		}
		// So does a Contact.
		if contact.UnmarshalJSON(data) == nil {
			enc, _ := json.Marshal(contact)
			var back chatinc.Contact
			if err := json.Unmarshal(enc, &back); err != nil || back != contact {
				t.Fatalf("Contact %+v → %s → %+v (%v)", contact, enc, back, err)
			}
		}
	})
}

func sameValues(a, b map[string]string) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

// FuzzResponse sends any body, with any of a few statuses, as the answer to
// a list call, a create call, a sending call and the results (as CSV and
// as rows), and checks that the error, if any, is one of the SDK's
// documented kinds.
func FuzzResponse(f *testing.F) {
	for _, s := range append(decodeSeeds,
		`{"status":"error","message":"nope"}`, `<html><title>oops</title></html>`,
		`{"status":"success","audiences":[{"id":"a"}]}`, `[{"status":"success","campaigns":{"campaignId":"c"}}]`) {
		f.Add(uint8(0), []byte(s))
		f.Add(uint8(2), []byte(s))
	}
	statuses := []int{200, 201, 400, 404, 501}
	f.Fuzz(func(t *testing.T, st uint8, body []byte) {
		status := statuses[int(st)%len(statuses)]
		c, mock := newTestClient(t, chatinc.WithMaxResponseBytes(1<<16))
		mock.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
			return httpmock.NewBytesResponse(status, body), nil
		})
		ctx := context.Background()
		_, err1 := c.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{})
		_, err2 := c.RetrieveAudiences(ctx)
		_, err3 := c.CreateAudience(ctx, chatinc.AudienceParams{ID: "a", Name: "A"})
		_, err4 := c.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: "c", Audiences: []string{"all"}})
		var sb strings.Builder
		_, err5 := c.RetrieveCampaignDetailsCSV(ctx, "c", &sb)
		_, err6 := c.RetrieveCampaignDetails(ctx, "c")
		// A body saying "status":"error" is an *APIError whatever the
		// status; the CSV export looks for one in its first 4 KiB.
		_, bodySaysErr := errorStatus(body)
		wantAPIErr := status >= 400 || bodySaysErr
		for i, err := range []error{err1, err2, err3, err4, err5, err6} {
			want := wantAPIErr
			if i == 4 && len(body) > 4<<10 {
				want = status >= 400
			}
			var apiErr *chatinc.APIError
			var decErr *chatinc.DecodeError
			switch {
			case errors.As(err, &apiErr):
				if !want || apiErr.StatusCode != status {
					t.Fatalf("call %d: APIError %d for status %d, body %q", i+1, apiErr.StatusCode, status, body)
				}
			case want:
				t.Fatalf("call %d: %v for status %d, body %q; want an *APIError", i+1, err, status, body)
			case err == nil, errors.As(err, &decErr), errors.Is(err, chatinc.ErrResponseTooLarge):
			default:
				t.Fatalf("call %d: undocumented error %v", i+1, err)
			}
		}
	})
}

// errorStatus reports whether a JSON body says "status":"error" at its top
// level or in its first element, as the API contract reads it.
func errorStatus(body []byte) (string, bool) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var elems []json.RawMessage
		if json.Unmarshal(body, &elems) != nil || len(elems) == 0 {
			return "", false
		}
		body = elems[0]
	}
	var env struct {
		Status any `json:"status"`
	}
	if json.Unmarshal(body, &env) != nil {
		return "", false
	}
	s, _ := env.Status.(string)
	return s, strings.EqualFold(s, "error")
}

// FuzzCampaignDetail checks the one-pass row decoder against the map-based
// one it replaced: the same Number, Action and Columns for any object.
func FuzzCampaignDetail(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"number":"+1\u0035","act\u0069on":"read","a":"x","a":"y","n":[1, {"b":"}"}],"s":"\ud800"}`))
	f.Add([]byte(` { "number" : 15550000001 , "action" : null , "t" : 1.5e3 , "o" : { } } `))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got chatinc.CampaignDetail
		errGot := got.UnmarshalJSON(data)
		var obj map[string]json.RawMessage
		errWant := json.Unmarshal(data, &obj)
		if (errGot == nil) != (errWant == nil) {
			t.Fatalf("%q: %v, the map decoder %v", data, errGot, errWant)
		}
		if errGot != nil {
			return
		}
		want := chatinc.CampaignDetail{}
		for k, v := range obj {
			var s wire.String
			if s.UnmarshalJSON(v) != nil {
				s = wire.String(bytes.TrimSpace(v))
			}
			switch k {
			case "number":
				want.Number = string(s)
			case "action":
				want.Action = string(s)
			default:
				if want.Columns == nil {
					want.Columns = map[string]string{}
				}
				want.Columns[k] = string(s)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n got %#v\nwant %#v", data, got, want)
		}
	})
}

// FuzzOnePassDecoders checks the one-pass decoders of the small answer
// types (wire.Fields) against what encoding/json makes of the same bytes
// through lenient shadow structs, as those types decoded before: both
// accept the same inputs and agree on every field.
func FuzzOnePassDecoders(f *testing.F) {
	for _, s := range append(decodeSeeds,
		`{"ID":"upper","id":"lower"}`, `{"id":"lower","ID":"upper"}`, `{"\u0069d":"escaped name"}`,
		`{"NAME":"a","Fields":["x"],"fields":null}`, `{"number":"+1","number":2}`, `[{"status":"success","id":"a"},1]`,
		"{\"\u212a\":1}", `{"contactcount":"7","CONTACTCOUNT":8}`, `{"id":"a"} `, ` [ ] `, `[null]`, `{"id":[1]}`,
		`{"campaignId":1,"title":"t","runs":[{"runId":"r","audiences":["a"],"timeToRun":"2026-12-07T09:00:00Z","contacts":"3"}],"buttons":[{"type":"url"}],"variables":["a"]}`,
		`{"runs":{"a":1},"RUNS":[1,2],"buttons":3,"variables":[1]}`, `{"runId":7,"audiences":[1],"timeToRun":1700000000}`,
		`{"runId":"r","audiences":null,"Status":"done","status":"x"}`, `{"totalSent":"12","TOTALREAD":3.0}`,
		`{"timeToRun":"2026-12-07T09:00:00Z","timeToRun":null,"title":"a","title":null,"runs":[1],"runs":null}`) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		type shadowGroup struct {
			ID     wire.String  `json:"id"`
			Name   wire.String  `json:"name"`
			Fields wire.Strings `json:"fields"`
		}
		type shadowAudience struct {
			ID           wire.String `json:"id"`
			Name         wire.String `json:"name"`
			Description  wire.String `json:"description"`
			ContactCount wire.Int    `json:"contactCount"`
		}
		type shadowContact struct {
			Number wire.String `json:"number"`
		}
		type shadowResult struct {
			Status     wire.String `json:"status"`
			Message    wire.String `json:"message"`
			ID         wire.String `json:"id"`
			CampaignID wire.String `json:"campaignId"`
			RunID      wire.String `json:"runId"`
		}
		agree := func(what string, gotErr, wantErr error, got, want any) {
			t.Helper()
			if (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("%s of %q: error %v, encoding/json: %v", what, data, gotErr, wantErr)
			}
			if gotErr == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("%s of %q: %+v, encoding/json: %+v", what, data, got, want)
			}
		}

		var g chatinc.VariableGroup
		var sg shadowGroup
		err := json.Unmarshal(data, &sg)
		want := chatinc.VariableGroup{ID: string(sg.ID), Name: string(sg.Name), Fields: []string(sg.Fields)}
		if want.Fields == nil {
			want.Fields = []string{}
		}
		agree("VariableGroup", g.UnmarshalJSON(data), err, g, want)

		var a chatinc.Audience
		var sa shadowAudience
		err = json.Unmarshal(data, &sa)
		agree("Audience", a.UnmarshalJSON(data), err, a, chatinc.Audience{ID: string(sa.ID), Name: string(sa.Name),
			Description: string(sa.Description), ContactCount: int(sa.ContactCount)})

		var c chatinc.Contact
		var sc shadowContact
		err = json.Unmarshal(data, &sc)
		agree("Contact", c.UnmarshalJSON(data), err, c, chatinc.Contact{Number: string(sc.Number)})

		var cmp chatinc.Campaign
		var sc2 shadowCampaign
		err = json.Unmarshal(data, &sc2)
		agree("Campaign", cmp.UnmarshalJSON(data), err, cmp, sc2.campaign(data))

		var run chatinc.CampaignRun
		var sr2 shadowRun
		err = json.Unmarshal(data, &sr2)
		agree("CampaignRun", run.UnmarshalJSON(data), err, run, chatinc.CampaignRun{RunID: string(sr2.RunID),
			Audiences: sr2.Audiences, TimeToRun: time.Time(sr2.TimeToRun), Status: string(sr2.Status), Contacts: int(sr2.Contacts)})

		var r chatinc.Result
		var sr shadowResult
		err = json.Unmarshal(data, new(json.RawMessage))
		if err == nil {
			var obj json.RawMessage
			if obj, err = firstElement(data); err == nil && len(bytes.TrimSpace(obj)) > 0 {
				err = json.Unmarshal(obj, &sr)
			}
		}
		agree("Result", r.UnmarshalJSON(data), err, r, chatinc.Result{Status: string(sr.Status), Message: string(sr.Message),
			ID: string(sr.ID), CampaignID: string(sr.CampaignID), RunID: string(sr.RunID), Raw: append(json.RawMessage(nil), data...)})
	})
}

// FuzzSmallAnswer sends any body to the list calls twice: with its
// Content-Length, so that an answer of up to 4 KiB is read whole and
// decoded from memory, and without one, so that it is streamed. The two
// give the same lists and the same errors.
func FuzzSmallAnswer(f *testing.F) {
	for _, s := range append(decodeSeeds,
		`{"status":"error","message":"nope"}`, `[{"status":"error","message":"nope"}]`,
		`{"status":"success","audiences":[{"id":"a"}]}`, `[{"status":"success","campaigns":{"campaignId":"c"}}]`,
		`[{"id":"g","name":"users","fields":["first_name"]},{"id":2,"fields":null}] `, `[{"id":1}] x`, `[{"id":1},]`,
		// Broken at its end, after 1,000 items: charged twice to the
		// item budget (once walked, once streamed for the error), they
		// came out too large instead of the stream's syntax error.
		"["+strings.Repeat("{},", 1000)) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		call := func(framed bool) string {
			c, mock := newTestClient(t, chatinc.WithRetryMax(0))
			mock.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
				resp := httpmock.NewBytesResponse(200, body)
				resp.ContentLength = -1
				if framed {
					resp.ContentLength = int64(len(body))
				}
				return resp, nil
			})
			ctx := context.Background()
			campaigns, err1 := c.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{})
			audiences, err2 := c.RetrieveAudiences(ctx)
			groups, err3 := c.RetrieveVariableGroups(ctx)
			contacts, err4 := c.RetrieveAudienceContacts(ctx, "a")
			return fmt.Sprintf("%+v %v\n%+v %v\n%+v %v\n%+v %v", campaigns, err1, audiences, err2, groups, err3, contacts, err4)
		}
		if framed, streamed := call(true), call(false); framed != streamed {
			t.Fatalf("%q\nwith its Content-Length:\n%s\nstreamed:\n%s", body, framed, streamed)
		}
	})
}

// TestSmallAnswerLongerThanItsLength: a RoundTripper whose body is longer
// than the Content-Length it reports gets a read error that says so, not a
// syntax error about the part of the answer the call kept.
func TestSmallAnswerLongerThanItsLength(t *testing.T) {
	body := []byte(`[` + strings.Repeat(`{"id":"g","name":"users","fields":["first_name"]},`, 200) + `{"id":"last"}]`)
	// Both lengths are small enough (up to 4 KiB) for the answer to be read
	// whole; the body is longer.
	for _, length := range []int64{10, 4000} {
		c, mock := newTestClient(t, chatinc.WithRetryMax(0))
		mock.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
			resp := httpmock.NewBytesResponse(200, body)
			resp.ContentLength = length
			return resp, nil
		})
		groups, err := c.RetrieveVariableGroups(context.Background())
		if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "Content-Length") {
			t.Errorf("Content-Length %d for %d bytes: %d groups, %v; want io.ErrUnexpectedEOF naming the Content-Length", length, len(body), len(groups), err)
		}
	}
}

// firstElement is an answer's object as encoding/json finds it: data
// itself, or when data is an array its first element (nil when empty).
// It decodes the whole array, unlike the SDK (which decodes the first
// element only), so that the two are reached by different roads.
func firstElement(data []byte) (json.RawMessage, error) {
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '[' {
		return data, nil
	}
	var all []json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil || len(all) == 0 {
		return nil, err
	}
	return all[0], nil
}

// shadowCampaign is how Campaign was decoded before 0.3, through
// encoding/json: the oracle of its one-pass decoder.
type shadowCampaign struct {
	CampaignID              wire.String     `json:"campaignId"`
	Title                   wire.String     `json:"title"`
	Message                 wire.String     `json:"message"`
	ImgURL                  wire.String     `json:"imgUrl"`
	Locale                  wire.String     `json:"locale"`
	TemplateID              wire.String     `json:"templateId"`
	WhatsAppTemplatesStatus wire.String     `json:"whatsAppTemplatesStatus"`
	Buttons                 json.RawMessage `json:"buttons"`
	Variables               json.RawMessage `json:"variables"`
	Runs                    json.RawMessage `json:"runs"`
	TotalSent               wire.Int        `json:"totalSent"`
	TotalDelivered          wire.Int        `json:"totalDelivered"`
	TotalRead               wire.Int        `json:"totalRead"`
	TotalSendErrors         wire.Int        `json:"totalSendErrors"`
	TotalDeliveryErrors     wire.Int        `json:"totalDeliveryErrors"`
	TotalNotOnWhatsApp      wire.Int        `json:"totalNotOnWhatsApp"`
}

func (w shadowCampaign) campaign(data []byte) chatinc.Campaign {
	c := chatinc.Campaign{
		CampaignID: string(w.CampaignID), Title: string(w.Title), Message: string(w.Message),
		ImgURL: string(w.ImgURL), Locale: string(w.Locale), TemplateID: string(w.TemplateID),
		WhatsAppTemplatesStatus: string(w.WhatsAppTemplatesStatus),
		TotalSent:               int(w.TotalSent), TotalDelivered: int(w.TotalDelivered), TotalRead: int(w.TotalRead),
		TotalSendErrors: int(w.TotalSendErrors), TotalDeliveryErrors: int(w.TotalDeliveryErrors),
		TotalNotOnWhatsApp: int(w.TotalNotOnWhatsApp),
		Raw:                append(json.RawMessage(nil), data...),
		RunCount:           -1,
	}
	if json.Unmarshal(w.Buttons, &c.Buttons) != nil {
		c.Buttons = nil
	}
	if json.Unmarshal(w.Variables, &c.Variables) != nil {
		c.Variables = nil
	}
	if json.Unmarshal(w.Runs, &c.Runs) != nil {
		c.Runs = nil
	}
	var elems []json.RawMessage
	if t := bytes.TrimSpace(w.Runs); len(t) > 0 && t[0] == '[' && json.Unmarshal(t, &elems) == nil {
		c.RunCount = len(elems)
	}
	return c
}

// shadowRun is how CampaignRun was decoded before 0.3.
type shadowRun struct {
	RunID     wire.String `json:"runId"`
	Audiences []string    `json:"audiences"`
	TimeToRun wire.Time   `json:"timeToRun"`
	Status    wire.String `json:"status"`
	Contacts  wire.Int    `json:"contacts"`
}
