package chatinc_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// createCampaign returns a call of CreateCampaign with p and o.
func createCampaign(p chatinc.CampaignParams, o chatinc.CampaignOptions) apiCall {
	return func(ctx context.Context, c *chatinc.Client) error {
		_, err := c.CreateCampaign(ctx, p, o)
		return err
	}
}

// csvExport returns a call of RetrieveCampaignDetailsCSV with id and w.
func csvExport(id string, w io.Writer) apiCall {
	return func(ctx context.Context, c *chatinc.Client) error {
		_, err := c.RetrieveCampaignDetailsCSV(ctx, id, w)
		return err
	}
}

// runCampaign returns a call of RunCampaign with p.
func runCampaign(p chatinc.RunCampaignParams) apiCall {
	return callWith((*chatinc.Client).RunCampaign, p)
}

func TestCampaignCallsOnTheWire(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 999, time.FixedZone("UTC+2", 2*3600))
	testWire(t, []wireCase{
		{
			name: "CreateCampaign, required fields only", method: http.MethodPost, path: "/create/campaign",
			body: `{"title":"My Marketing Campaign","message":"Hi"}`,
			call: createCampaign(chatinc.CampaignParams{Title: "My Marketing Campaign", Message: "Hi"}, chatinc.CampaignOptions{}),
		},
		{
			name: "CreateCampaign, one flat object with every option", method: http.MethodPost, path: "/create/campaign",
			body: `{"title":"campaign title","message":"Hi {users.first_name}","imgUrl":"https://cdn.example.com/a.png",
				"buttons":[{"text":"Start","type":"journey","journeyId":"myJourneyID"},{"text":"Say hi","type":"input","input":"Hello"}],
				"runImmediately":true,"audiences":["Frequent Shoppers","all"],"languageCode":"enUS",
				"timeToRun":1893546245,"templateType":"MARKETING"}`,
			call: createCampaign(chatinc.CampaignParams{
				Title: "campaign title", Message: "Hi {users.first_name}", ImgURL: "https://cdn.example.com/a.png",
				Buttons: []chatinc.Button{chatinc.JourneyButton("Start", "myJourneyID"), chatinc.InputButton("Say hi", "Hello")},
			}, chatinc.CampaignOptions{
				RunImmediately: true, Audiences: []string{"Frequent Shoppers", chatinc.AudienceAll}, LanguageCode: "enUS",
				TimeToRun: at, WhatsAppTemplateType: chatinc.TemplateMarketing,
			}),
		},
		{
			name: "RunCampaign, now", method: http.MethodPost, path: "/run/campaign",
			body: `{"campaignId":"myCampaignId","audiences":["all"]}`,
			call: runCampaign(chatinc.RunCampaignParams{CampaignID: "myCampaignId", Audiences: []string{"all"}}),
		},
		{
			name: "RunCampaign, scheduled", method: http.MethodPost, path: "/run/campaign",
			body: `{"campaignId":"myCampaignId","audiences":["a","b"],"timeToRun":1893546245}`,
			call: runCampaign(chatinc.RunCampaignParams{CampaignID: "myCampaignId", Audiences: []string{"a", "b"}, TimeToRun: at}),
		},
		{
			name: "RetrieveCampaigns", method: http.MethodGet, path: "/retrieve/campaigns",
			call: callWith((*chatinc.Client).RetrieveCampaigns, chatinc.RetrieveCampaignsOptions{}),
		},
		{
			name: "RetrieveCampaigns, active only", method: http.MethodGet, path: "/retrieve/campaigns", query: "active=true",
			call: callWith((*chatinc.Client).RetrieveCampaigns, chatinc.RetrieveCampaignsOptions{Active: true}),
		},
		{
			name: "RetrieveCampaignDetails", method: http.MethodPost, path: "/retrieve/campaign",
			body: `{"campaignId":"c_B5ibuY0ubsjsGHE"}`,
			call: callWith((*chatinc.Client).RetrieveCampaignDetails, "c_B5ibuY0ubsjsGHE"),
		},
		{
			name: "RetrieveCampaignDetailsCSV", method: http.MethodPost, path: "/retrieve/campaign",
			body: `{"campaignId":"c_B5ibuY0ubsjsGHE","format":"csv"}`,
			call: csvExport("c_B5ibuY0ubsjsGHE", &strings.Builder{}),
		},
	})
}

func TestCampaignInputValidation(t *testing.T) {
	valid := chatinc.CampaignParams{Title: "T", Message: "M"}
	withImg := func(u string) chatinc.CampaignParams { p := valid; p.ImgURL = u; return p }
	none := chatinc.CampaignOptions{}
	testInputs(t, []inputCase{
		{"valid", "", nil, createCampaign(valid, none)},
		{"title empty", "title", nil, createCampaign(chatinc.CampaignParams{Message: "M"}, none)},
		{"message empty", "message", nil, createCampaign(chatinc.CampaignParams{Title: "T"}, none)},
		{"imgUrl https", "", nil, createCampaign(withImg("https://cdn.example.com/a.png"), none)},
		{"imgUrl http", "", nil, createCampaign(withImg("http://cdn.example.com/a.png"), none)},
		{"imgUrl as in the docs' curl", "imgUrl", nil, createCampaign(withImg("my-imageurl"), none)},
		{"imgUrl relative", "imgUrl", nil, createCampaign(withImg("/img/a.png"), none)},
		{"imgUrl ftp", "imgUrl", nil, createCampaign(withImg("ftp://cdn.example.com/a.png"), none)},
		{"imgUrl without host", "imgUrl", nil, createCampaign(withImg("https:///a.png"), none)},
		{"imgUrl unparsable", "imgUrl", nil, createCampaign(withImg("https://cdn example.com/a.png"), none)},
		{"runImmediately without audiences", "audiences", nil,
			createCampaign(valid, chatinc.CampaignOptions{RunImmediately: true})},
		{"runImmediately to all", "", nil,
			createCampaign(valid, chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{chatinc.AudienceAll}})},
		{"empty audience ID", "audiences[1]", nil,
			createCampaign(valid, chatinc.CampaignOptions{Audiences: []string{"a", ""}})},
		{"a bad button", "buttons[0].text", nil,
			createCampaign(chatinc.CampaignParams{Title: "T", Message: "M", Buttons: []chatinc.Button{chatinc.InputButton("", "x")}}, none)},
		{"run: campaignId empty", "campaignId", nil, runCampaign(chatinc.RunCampaignParams{Audiences: []string{"all"}})},
		{"run: no audiences", "audiences", nil, runCampaign(chatinc.RunCampaignParams{CampaignID: "c"})},
		{"run: empty audiences", "audiences", nil, runCampaign(chatinc.RunCampaignParams{CampaignID: "c", Audiences: []string{}})},
		{"run: empty audience ID", "audiences[0]", nil, runCampaign(chatinc.RunCampaignParams{CampaignID: "c", Audiences: []string{""}})},
		{"details: campaignId empty", "campaignId", nil, callWith((*chatinc.Client).RetrieveCampaignDetails, "")},
		{"CSV: campaignId empty", "campaignId", nil, csvExport("", &strings.Builder{})},
		{"CSV: nil writer", "w", nil, csvExport("c", nil)},
	})
}

// docCampaign is the campaign object of the docs' retrieve/campaigns
// example, and campaignFromDocs what it decodes to.
const docCampaign = `{
	"imgUrl": "https://storage.googleapis.com/otarkie-pay-dev.appspot.com/bots/files/WhatsApp Image 2023-05-18 at 09.56.00.jpeg.jpeg",
	"variables": [],
	"buttons": [
		{
			"text": "Complete Application",
			"type": "input"
		}
	],
	"campaignId": "chatstack_agfobasx",
	"locale": "en_US",
	"message": "Hi!👋 Excited to try out campaigns",
	"templateId": "chatstack_agfobasx",
	"title": "test_with_image",
	"runs": [],
	"totalSent": 0,
	"totalDelivered": 0,
	"totalRead": 0,
	"whatsAppTemplatesStatus": "APPROVED"
}`

var campaignFromDocs = chatinc.Campaign{
	CampaignID: "chatstack_agfobasx", Title: "test_with_image", Message: "Hi!👋 Excited to try out campaigns",
	ImgURL: "https://storage.googleapis.com/otarkie-pay-dev.appspot.com/bots/files/WhatsApp Image 2023-05-18 at 09.56.00.jpeg.jpeg",
	Locale: "en_US", TemplateID: "chatstack_agfobasx", WhatsAppTemplatesStatus: "APPROVED",
	Buttons:   []chatinc.Button{{Text: "Complete Application", Type: chatinc.ButtonInput}},
	Variables: []string{}, Runs: []chatinc.CampaignRun{},
}

// retrieveCampaigns calls RetrieveCampaigns and drops each campaign's Raw,
// so that campaigns compare by their fields.
func retrieveCampaigns(ctx context.Context, c *chatinc.Client) ([]chatinc.Campaign, error) {
	cs, err := c.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{})
	for i := range cs {
		cs[i].Raw = nil
	}
	return cs, err
}

func TestRetrieveCampaignsDecodes(t *testing.T) {
	a := `{"campaignId":"a","title":"A"}`
	b := `{"campaignId":"b","title":"B"}`
	ab := []chatinc.Campaign{{CampaignID: "a", Title: "A", RunCount: -1}, {CampaignID: "b", Title: "B", RunCount: -1}}
	testDecode(t, http.MethodGet, "/retrieve/campaigns", retrieveCampaigns, []decodeCase[[]chatinc.Campaign]{
		{"the docs' example", `[{"status": "success", "campaigns": ` + docCampaign + `}]`, []chatinc.Campaign{campaignFromDocs}},
		{"campaigns as an array", `[{"status":"success","campaigns":[` + a + `,` + b + `]}]`, ab},
		{"several wrappers", `[{"status":"success","campaigns":` + a + `},{"status":"success","campaigns":` + b + `}]`, ab},
		{"bare array", `[` + a + `,` + b + `]`, ab},
		{"object with an array", `{"status":"success","campaigns":[` + a + `,` + b + `]}`, ab},
		{"object with one campaign", `{"status":"success","campaigns":` + a + `}`, ab[:1]},
		{"object with a data array", `{"status":"success","data":[` + a + `,` + b + `]}`, ab},
		{"empty body", ``, []chatinc.Campaign{}},
		{"null", `null`, []chatinc.Campaign{}},
		{"empty array", `[]`, []chatinc.Campaign{}},
		{"no campaigns", `[{"status":"success","campaigns":[]}]`, []chatinc.Campaign{}},
		{"totals as strings, unknown fields", `[{"campaignId":"c","totalSent":"10","totalDelivered":"8","totalRead":"4",
			"totalSendErrors":"1","totalDeliveryErrors":2,"totalNotOnWhatsApp":"","createdBy":{"uid":7},"tags":["x"]}]`,
			[]chatinc.Campaign{{CampaignID: "c", TotalSent: 10, TotalDelivered: 8, TotalRead: 4, TotalSendErrors: 1, TotalDeliveryErrors: 2, RunCount: -1}}},
		{"variables and runs in unexpected shapes", `[{"campaignId":"c","variables":{"users":["first_name"]},
			"runs":{"r1":{"status":"done"}},"buttons":"none"}]`,
			[]chatinc.Campaign{{CampaignID: "c", RunCount: -1}}},
		{"a run of unexpected shape", `[{"campaignId":"c","runs":[{"runId":"r1","audiences":"all"}],"variables":[1,2]}]`,
			[]chatinc.Campaign{{CampaignID: "c", RunCount: 1}}},
		{"runs as IDs: counted, never no runs", `[{"campaignId":"c","runs":["r_1","r_2"]}]`,
			[]chatinc.Campaign{{CampaignID: "c", RunCount: 2}}},
		{"runs of mixed shapes", `[{"campaignId":"c","runs":[{"runId":"r1"},7,null,[1]]}]`,
			[]chatinc.Campaign{{CampaignID: "c", RunCount: 4}}},
		{"runs null", `[{"campaignId":"c","runs":null}]`, []chatinc.Campaign{{CampaignID: "c", RunCount: -1}}},
		{"runs empty", `[{"campaignId":"c","runs":[]}]`, []chatinc.Campaign{{CampaignID: "c", Runs: []chatinc.CampaignRun{}, RunCount: 0}}},
		{"variables and runs as expected", `[{"campaignId":"c","variables":["users.first_name"],
			"runs":[{"runId":"r1","audiences":["all"],"timeToRun":"1700000000","status":"done","contacts":"12","extra":true},
			        {"runId":"r2","timeToRun":1700000000000}]}]`,
			[]chatinc.Campaign{{CampaignID: "c", Variables: []string{"users.first_name"}, RunCount: 2, Runs: []chatinc.CampaignRun{
				{RunID: "r1", Audiences: []string{"all"}, TimeToRun: time.Unix(1700000000, 0), Status: "done", Contacts: 12},
				{RunID: "r2", TimeToRun: time.Unix(1700000000, 0)},
			}}}},
	})
}

func TestCampaignRawAndRates(t *testing.T) {
	c, _ := answering(t, http.MethodGet, "/retrieve/campaigns", 200,
		`[{"status":"success","campaigns":{"campaignId":"c","totalSent":"8","totalDelivered":6,"totalRead":2,"x":1}}]`)
	got, err := c.RetrieveCampaigns(context.Background(), chatinc.RetrieveCampaignsOptions{})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.JSONEq(t, `{"campaignId":"c","totalSent":"8","totalDelivered":6,"totalRead":2,"x":1}`, string(got[0].Raw))
	assert.InDelta(t, 0.75, got[0].DeliveryRate(), 1e-9)
	assert.InDelta(t, 0.25, got[0].ReadRate(), 1e-9)
	assert.Zero(t, chatinc.Campaign{TotalDelivered: 3}.DeliveryRate(), "nothing sent: 0, not NaN")
	assert.Zero(t, chatinc.Campaign{}.ReadRate())
}

func TestRetrieveCampaignDetailsDecodes(t *testing.T) {
	details := func(ctx context.Context, c *chatinc.Client) ([]chatinc.CampaignDetail, error) {
		return c.RetrieveCampaignDetails(ctx, "cmp")
	}
	sent := chatinc.CampaignDetail{Number: "+15550000001", Action: "sent"}
	testDecode(t, http.MethodPost, "/retrieve/campaign", details, []decodeCase[[]chatinc.CampaignDetail]{
		{"the docs' shape", `[{"number":"+15550000001","action":"sent"}]`, []chatinc.CampaignDetail{sent}},
		{"extra columns kept as text",
			`[{"number":15550000002,"action":"read","runId":"r1","timestamp":1700000000,"price":0.050,"ok":true,
			   "error":null,"note":"two\nlines","meta":{"a":1,"b":[1,"x"]},"tags":["vip"]}]`,
			[]chatinc.CampaignDetail{{Number: "15550000002", Action: "read", Columns: map[string]string{
				"runId": "r1", "timestamp": "1700000000", "price": "0.050", "ok": "true", "error": "",
				"note": "two\nlines", "meta": `{"a":1,"b":[1,"x"]}`, "tags": `["vip"]`,
			}}}},
		{"wrapped in data", `{"status":"success","data":[{"number":"+15550000001","action":"sent"}]}`, []chatinc.CampaignDetail{sent}},
		{"results beside another array", `{"status":"success","columns":["number","action"],
			"results":[{"number":"+15550000001","action":"sent"}]}`, []chatinc.CampaignDetail{sent}},
		{"empty body", ``, []chatinc.CampaignDetail{}},
		{"empty array", `[]`, []chatinc.CampaignDetail{}},
	})
}

func TestCampaignDetailColumnNames(t *testing.T) {
	d := chatinc.CampaignDetail{Columns: map[string]string{"runId": "r", "at": "1", "error": ""}}
	assert.Equal(t, []string{"at", "error", "runId"}, d.ColumnNames())
	assert.Empty(t, chatinc.CampaignDetail{}.ColumnNames())
}

func TestRetrieveCampaignDetailsCSV(t *testing.T) {
	const csv = "number,action,timestamp\n+15550000001,sent,1700000000\n+15550000002,\"read, twice\",1700000001\n"
	tests := []struct {
		name    string
		status  int
		body    string
		want    string // what reaches the writer
		wantErr int    // the *APIError's status; 0 for success
	}{
		{"CSV", 200, csv, csv, 0},
		{"empty export", 200, "", "", 0},
		{"a JSON array passes through", 200, `[{"number":"1"}]`, `[{"number":"1"}]`, 0},
		{"200 whose body says error", 200, `{"status":"error","message":"campaign not ready"}`, "", 200},
		{"404", 404, `{"status":"error","message":"no such campaign"}`, "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mock := newTestClient(t, chatinc.WithRetryMax(0))
			mock.RegisterResponder(http.MethodPost, apiURL("/retrieve/campaign"), func(r *http.Request) (*http.Response, error) {
				assert.Contains(t, r.Header.Get("Accept"), "text/csv")
				return newResponse(tt.status, "text/csv", tt.body), nil
			})
			var w strings.Builder
			n, err := c.RetrieveCampaignDetailsCSV(context.Background(), "cmp", &w)
			assert.Equal(t, tt.want, w.String())
			assert.Equal(t, int64(len(tt.want)), n, "bytes written")
			if tt.wantErr == 0 {
				require.NoError(t, err)
				return
			}
			var apiErr *chatinc.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.wantErr, apiErr.StatusCode)
			assert.NotEmpty(t, apiErr.Message)
		})
	}
}
