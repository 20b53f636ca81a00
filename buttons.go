package chatinc

import (
	"fmt"
	"unicode/utf8"
)

// ButtonType is the kind of a campaign button.
type ButtonType string

// The button types the API knows.
const (
	// ButtonInput turns a press into a structured text reply (Input), saved
	// to the campaign's input group.
	ButtonInput ButtonType = "input"
	// ButtonJourney starts an interactive journey (JourneyID).
	ButtonJourney ButtonType = "journey"
	// ButtonPhone calls a phone number (PhoneNumber).
	ButtonPhone ButtonType = "phone"
	// ButtonURL opens a web address (URL).
	ButtonURL ButtonType = "url"
)

// WhatsApp's limits on a message's buttons, checked before a campaign is sent.
const (
	MaxButtons          = 10
	MaxURLButtons       = 2
	MaxPhoneButtons     = 1
	MaxButtonTextLength = 25 // characters
)

// Button is an interactive button on a campaign message. Build one with
// InputButton, JourneyButton, PhoneButton or URLButton. Phone and URL buttons
// may be combined with each other but not with input or journey buttons.
type Button struct {
	// Text is the button's label, at most MaxButtonTextLength characters.
	Text string `json:"text"`
	// Type says what pressing it does; the field below of that type is
	// required, and the others are empty.
	Type ButtonType `json:"type"`
	// Input is the reply a ButtonInput button sends.
	Input string `json:"input,omitempty"`
	// JourneyID is the journey a ButtonJourney button starts.
	JourneyID string `json:"journeyId,omitempty"`
	// PhoneNumber is the number a ButtonPhone button calls.
	PhoneNumber string `json:"phoneNumber,omitempty"`
	// URL is the absolute http(s) URL a ButtonURL button opens.
	URL string `json:"url,omitempty"`
}

// InputButton returns a button that replies with the text input when pressed.
func InputButton(text, input string) Button {
	return Button{Text: text, Type: ButtonInput, Input: input}
}

// JourneyButton returns a button that starts the journey journeyID.
func JourneyButton(text, journeyID string) Button {
	return Button{Text: text, Type: ButtonJourney, JourneyID: journeyID}
}

// PhoneButton returns a button that calls phoneNumber (e.g. "+15551230001").
func PhoneButton(text, phoneNumber string) Button {
	return Button{Text: text, Type: ButtonPhone, PhoneNumber: phoneNumber}
}

// URLButton returns a button that opens url, an absolute http(s) address.
func URLButton(text, url string) Button {
	return Button{Text: text, Type: ButtonURL, URL: url}
}

// validate checks one button; field is its name in errors, e.g. "buttons[2]".
func (b Button) validate(field string) error {
	if err := checkName(field+".text", b.Text); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(b.Text); n > MaxButtonTextLength {
		return invalid(field+".text", "%d characters; WhatsApp allows at most %d", n, MaxButtonTextLength)
	}
	// The field each type needs, and the ones it must leave empty.
	needs := map[ButtonType]string{ButtonInput: "input", ButtonJourney: "journeyId", ButtonPhone: "phoneNumber", ButtonURL: "url"}
	values := map[string]string{"input": b.Input, "journeyId": b.JourneyID, "phoneNumber": b.PhoneNumber, "url": b.URL}
	need, ok := needs[b.Type]
	if !ok {
		return invalid(field+".type", "%q is not one of input, journey, phone, url", b.Type)
	}
	if values[need] == "" {
		return invalid(field+"."+need, "required for a %s button", b.Type)
	}
	for _, name := range []string{"input", "journeyId", "phoneNumber", "url"} {
		if name != need && values[name] != "" {
			return invalid(field+"."+name, "not used by a %s button", b.Type)
		}
	}
	switch b.Type {
	case ButtonInput:
		return checkText(field+".input", b.Input)
	case ButtonJourney:
		return checkName(field+".journeyId", b.JourneyID)
	case ButtonURL:
		return checkHTTPURL(field+".url", b.URL)
	case ButtonPhone:
		return checkPhone(field+".phoneNumber", b.PhoneNumber)
	}
	return nil
}

// validateButtons checks each button and the combination: at most
// MaxButtons, MaxURLButtons and MaxPhoneButtons, and phone/URL buttons never
// with input/journey ones.
func validateButtons(buttons []Button) error {
	if len(buttons) > MaxButtons {
		return invalid("buttons", "%d buttons; WhatsApp allows at most %d", len(buttons), MaxButtons)
	}
	count := map[ButtonType]int{}
	for i, b := range buttons {
		if err := b.validate(fmt.Sprintf("buttons[%d]", i)); err != nil {
			return err
		}
		count[b.Type]++
	}
	switch {
	case count[ButtonURL] > MaxURLButtons:
		return invalid("buttons", "%d url buttons; WhatsApp allows at most %d", count[ButtonURL], MaxURLButtons)
	case count[ButtonPhone] > MaxPhoneButtons:
		return invalid("buttons", "%d phone buttons; WhatsApp allows at most %d", count[ButtonPhone], MaxPhoneButtons)
	case count[ButtonURL]+count[ButtonPhone] > 0 && count[ButtonInput]+count[ButtonJourney] > 0:
		return invalid("buttons", "phone and url buttons cannot be combined with input or journey buttons")
	}
	return nil
}
