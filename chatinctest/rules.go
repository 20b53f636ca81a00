package chatinctest

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The API's rules for what a request may hold, each written once. They
// return an *invalidError naming the field at fault.

// Campaign limits and defaults.
const (
	maxButtons          = 10
	maxURLButtons       = 2
	maxPhoneButtons     = 1
	maxButtonText       = 25   // characters
	maxMessageLength    = 1024 // characters
	defaultLanguageCode = "enUS"
	// maxUnixSeconds is the last second of the year 9999: a larger
	// timeToRun, such as one in milliseconds, is refused.
	maxUnixSeconds = 253402300799
)

// templateTypes are the WhatsApp template categories a campaign may be
// created as; the first is the default.
var templateTypes = []string{"MARKETING", "UTILITY", "AUTHENTICATION"}

// required checks name/value pairs: the first blank value is "<name> is
// required".
func required(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			return invalid("%s is required", pairs[i])
		}
	}
	return nil
}

// checkAudienceID refuses "all" as the ID of an audience to create or add
// to: it targets every contact. label names the ID's field.
func checkAudienceID(label, id string) error {
	if id == allAudiences {
		return invalid("%s: %q is reserved: it targets every contact", label, allAudiences)
	}
	return nil
}

// checkMessageLength refuses a campaign message over maxMessageLength
// characters.
func checkMessageLength(message string) error {
	if n := utf8.RuneCountInString(message); n > maxMessageLength {
		return invalid("message: %d characters; the limit is %d", n, maxMessageLength)
	}
	return nil
}

// placeholderError is the error for a placeholder of a campaign message,
// worded as the SDK's pre-flight check words the same problem. (Which
// braces are a placeholder is splitMessage's to say.)
func placeholderError(text string, offset int, reason string) error {
	return invalid("message: %s at byte %d: %s", text, offset, reason)
}

// checkGroupName refuses a variable group name no placeholder could hold
// (see placeholderSyntax): one with "{", "}", ".", a line break, or a
// space at either end.
func checkGroupName(name string) error {
	if strings.ContainsAny(name, "{}.\r\n") {
		return invalid(`name: %q holds "{", "}", "." or a line break, which no {group.variable} placeholder can hold`, name)
	}
	if strings.TrimSpace(name) != name {
		return invalid("name: %q starts or ends with a space, which no {group.variable} placeholder can hold", name)
	}
	return nil
}

// checkTemplateType refuses a template type other than templateTypes; ""
// is the default.
func checkTemplateType(t string) error {
	if t != "" && !slices.Contains(templateTypes, t) {
		return invalid("templateType: %q is not a template type: use %s", t, strings.Join(templateTypes, ", "))
	}
	return nil
}

// checkImageURL refuses an image URL that is not an absolute http(s) URL:
// WhatsApp fetches the image, so "my-imageurl" cannot work.
func checkImageURL(field, raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid("%s: %q is not an absolute http(s) URL", field, raw)
	}
	return nil
}

// checkButtons checks buttons against the API's rules and WhatsApp's: a
// known type, a text of at most 25 characters, the field the type needs, at
// most ten buttons, two URL and one phone button, and phone and URL buttons
// never mixed with input or journey buttons.
func checkButtons(buttons []button) error {
	if len(buttons) > maxButtons {
		return invalid("buttons: at most %d buttons, got %d", maxButtons, len(buttons))
	}
	var action, link bool
	count := map[string]int{}
	for i, b := range buttons {
		label := fmt.Sprintf("buttons[%d]", i)
		var field, value string
		switch b.Type {
		case "input":
			field, value, action = "input", b.Input, true
		case "journey":
			field, value, action = "journeyId", b.JourneyID, true
		case "phone":
			field, value, link = "phoneNumber", b.PhoneNumber, true
		case "url":
			field, value, link = "url", b.URL, true
		case "":
			return invalid("%s.type is required", label)
		default:
			return invalid("%s.type: %q is not a button type: use input, journey, phone or url", label, b.Type)
		}
		if err := required(label+".text", b.Text, label+"."+field, value); err != nil {
			return err
		}
		if n := utf8.RuneCountInString(b.Text); n > maxButtonText {
			return invalid("%s.text: %d characters; WhatsApp allows at most %d", label, n, maxButtonText)
		}
		count[b.Type]++
		switch b.Type {
		case "phone":
			if _, err := parsePhoneField(label+".phoneNumber", value); err != nil {
				return err
			}
		case "url":
			if u, err := url.Parse(value); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
				return invalid("%s.url: %q is not an http or https URL", label, value)
			}
		}
	}
	for _, limit := range []struct {
		kind string
		max  int
	}{{"url", maxURLButtons}, {"phone", maxPhoneButtons}} {
		if count[limit.kind] > limit.max {
			return invalid("buttons: %d %s buttons; WhatsApp allows at most %d", count[limit.kind], limit.kind, limit.max)
		}
	}
	if action && link {
		return invalid("buttons: phone and url buttons cannot be mixed with input or journey buttons")
	}
	return nil
}

// checkGroupFields checks the fields of a variable group: each named, once,
// and none named "number", which holds each row's phone number. label(i)
// names fields[i] in the error.
func checkGroupFields(fields []string, label func(i int) string) error {
	seen := make(map[string]bool, len(fields))
	for i, f := range fields {
		switch {
		case strings.TrimSpace(f) == "":
			return invalid("%s: the field has no name", label(i))
		case strings.EqualFold(f, "number"):
			return invalid(`%s: a field may not be named "number": that key holds each row's phone number`, label(i))
		case seen[f]:
			return invalid("%s: duplicate field %q", label(i), f)
		}
		seen[f] = true
	}
	return nil
}

// localeOf turns a language code ("enUS", "en_US", "en-us", "en") into a
// locale ("en_US"); "" is the default, enUS.
func localeOf(code string) (string, error) {
	if code == "" {
		code = defaultLanguageCode
	}
	lang, region, sep := strings.Cut(strings.ReplaceAll(code, "-", "_"), "_")
	if !sep && len(code) == 4 {
		lang, region = code[:2], code[2:]
	}
	if !letters(lang, 2, 3) || ((sep || region != "") && !letters(region, 2, 2)) {
		return "", invalid("languageCode: %q is not a language code such as %q", code, defaultLanguageCode)
	}
	locale := strings.ToLower(lang)
	if region != "" {
		locale += "_" + strings.ToUpper(region)
	}
	return locale, nil
}

// letters reports whether s is min to max ASCII letters.
func letters(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// runTime is when a run given timeToRun (Unix seconds; 0 for now) takes
// place. A negative timeToRun, or one past maxUnixSeconds, is refused.
func runTime(timeToRun int64, now time.Time) (time.Time, error) {
	switch {
	case timeToRun == 0:
		return time.Unix(now.Unix(), 0), nil
	case timeToRun < 0 || timeToRun > maxUnixSeconds:
		return time.Time{}, invalid("timeToRun: %d is not a Unix time in seconds", timeToRun)
	}
	return time.Unix(timeToRun, 0), nil
}
