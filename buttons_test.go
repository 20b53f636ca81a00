package chatinc_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

func TestButtonConstructors(t *testing.T) {
	tests := []struct {
		got      chatinc.Button
		want     chatinc.Button
		wantJSON string
	}{
		{chatinc.InputButton("Send Message", "Hello, World."),
			chatinc.Button{Text: "Send Message", Type: chatinc.ButtonInput, Input: "Hello, World."},
			`{"text":"Send Message","type":"input","input":"Hello, World."}`},
		{chatinc.JourneyButton("Start", "myJourneyId"),
			chatinc.Button{Text: "Start", Type: chatinc.ButtonJourney, JourneyID: "myJourneyId"},
			`{"text":"Start","type":"journey","journeyId":"myJourneyId"}`},
		{chatinc.PhoneButton("Call Us", "+15551230001"),
			chatinc.Button{Text: "Call Us", Type: chatinc.ButtonPhone, PhoneNumber: "+15551230001"},
			`{"text":"Call Us","type":"phone","phoneNumber":"+15551230001"}`},
		{chatinc.URLButton("Visit Site", "https://www.google.com"),
			chatinc.Button{Text: "Visit Site", Type: chatinc.ButtonURL, URL: "https://www.google.com"},
			`{"text":"Visit Site","type":"url","url":"https://www.google.com"}`},
	}
	for _, tt := range tests {
		t.Run(string(tt.want.Type), func(t *testing.T) {
			assert.Equal(t, tt.want, tt.got)
			b, err := json.Marshal(tt.got)
			require.NoError(t, err)
			assert.Equal(t, tt.wantJSON, string(b), "the docs' JSON, empty fields omitted")
		})
	}
}

func TestButtonValidation(t *testing.T) {
	withButtons := func(bs ...chatinc.Button) apiCall {
		return createCampaign(chatinc.CampaignParams{Title: "T", Message: "M", Buttons: bs}, chatinc.CampaignOptions{})
	}
	repeat := func(n int, b chatinc.Button) []chatinc.Button {
		bs := make([]chatinc.Button, n)
		for i := range bs {
			bs[i] = b
		}
		return bs
	}
	input := chatinc.InputButton("Yes", "yes")
	journey := chatinc.JourneyButton("Start", "j1")
	phone := chatinc.PhoneButton("Call Us", "+15551230001")
	link := chatinc.URLButton("Visit Site", "https://www.google.com")
	with := func(b chatinc.Button, edit func(*chatinc.Button)) chatinc.Button { edit(&b); return b }
	text := func(s string) chatinc.Button { return chatinc.InputButton(s, "x") }

	testInputs(t, []inputCase{
		{"no buttons", "", nil, withButtons()},
		{"url and phone", "", nil, withButtons(link, phone)},
		{"two url and a phone", "", nil, withButtons(link, phone, link)},
		{"input and journey", "", nil, withButtons(input, journey)},
		{"ten input buttons", "", nil, withButtons(repeat(10, input)...)},
		{"text of 25 characters", "", nil, withButtons(text(strings.Repeat("a", 25)))},
		{"text of 25 two-byte characters", "", nil, withButtons(text(strings.Repeat("é", 25)))},
		{"text of 25 emoji", "", nil, withButtons(text(strings.Repeat("👋", 25)))},
		{"text of 26 characters", "buttons[0].text", nil, withButtons(text(strings.Repeat("a", 26)))},
		{"text of 26 two-byte characters", "buttons[0].text", nil, withButtons(text(strings.Repeat("é", 26)))},
		{"empty text", "buttons[1].text", nil, withButtons(input, text(""))},
		{"unknown type", "buttons[0].type", nil, withButtons(chatinc.Button{Text: "Go", Type: "link", URL: "https://x.example"})},
		{"no type", "buttons[0].type", nil, withButtons(chatinc.Button{Text: "Go"})},
		{"input without input", "buttons[0].input", nil, withButtons(chatinc.InputButton("Yes", ""))},
		{"journey without journeyId", "buttons[0].journeyId", nil, withButtons(chatinc.JourneyButton("Start", ""))},
		{"phone without phoneNumber", "buttons[0].phoneNumber", nil, withButtons(chatinc.PhoneButton("Call", ""))},
		{"url without url", "buttons[0].url", nil, withButtons(chatinc.URLButton("Visit", ""))},
		{"input with a url", "buttons[0].url", nil, withButtons(with(input, func(b *chatinc.Button) { b.URL = "https://x.example" }))},
		{"journey with an input", "buttons[0].input", nil, withButtons(with(journey, func(b *chatinc.Button) { b.Input = "x" }))},
		{"phone with a journeyId", "buttons[0].journeyId", nil, withButtons(with(phone, func(b *chatinc.Button) { b.JourneyID = "j" }))},
		{"url with a phoneNumber", "buttons[0].phoneNumber", nil, withButtons(with(link, func(b *chatinc.Button) { b.PhoneNumber = "+15551230001" }))},
		{"url without scheme", "buttons[0].url", nil, withButtons(chatinc.URLButton("Visit", "www.google.com"))},
		{"url relative", "buttons[0].url", nil, withButtons(chatinc.URLButton("Visit", "/pay"))},
		{"url not http", "buttons[0].url", nil, withButtons(chatinc.URLButton("Visit", "javascript:alert(1)"))},
		{"url without host", "buttons[0].url", nil, withButtons(chatinc.URLButton("Visit", "https://"))},
		{"phone with letters", "buttons[0].phoneNumber", nil, withButtons(chatinc.PhoneButton("Call", "+1-800-FLOWERS"))},
		{"phone too short", "buttons[0].phoneNumber", nil, withButtons(chatinc.PhoneButton("Call", "911"))},
		{"eleven buttons", "buttons", nil, withButtons(repeat(11, input)...)},
		{"three url buttons", "buttons", nil, withButtons(link, link, link)},
		{"two phone buttons", "buttons", nil, withButtons(phone, phone)},
		{"url with input", "buttons", nil, withButtons(link, input)},
		{"phone with journey", "buttons", nil, withButtons(journey, phone)},
		// The docs' curl example pairs a journey and a url button, which
		// their own rule for phone and url buttons forbids; the rule wins.
		{"journey and url, as in the docs' curl", "buttons", nil, withButtons(journey, link)},
	})
}
