package chatinc

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzKey is the key FuzzRedact hides; its secret part is upper case and
// digits, which the fuzzer's text around it may not hold.
const fuzzKey = "sk_live_Q7/X+ZK9=WB3PD"

// escapeKey writes key with each character escaped as mode's next two
// bits say: raw, JSON \u, URL %XX, or HTML &#xX;.
func escapeKey(key string, mode uint64) string {
	var b strings.Builder
	for _, r := range key {
		switch mode & 3 {
		case 0:
			b.WriteRune(r)
		case 1:
			fmt.Fprintf(&b, `\u%04x`, r)
		case 2:
			b.WriteString(url.QueryEscape(string(r)))
			if r == '+' || r == ' ' {
				b.Reset() // QueryEscape writes + for space: not a key escape
				return key
			}
		case 3:
			fmt.Fprintf(&b, "&#x%X;", r)
		}
		mode >>= 2
	}
	return b.String()
}

// unescapeAll undoes the escapes escapeKey applies, as a reader of the text
// would.
func unescapeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], `\u`) && i+6 <= len(s) {
			var r rune
			if _, err := fmt.Sscanf(s[i+2:i+6], "%04x", &r); err == nil {
				b.WriteRune(r)
				i += 6
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	out := html.UnescapeString(b.String())
	if u, err := url.PathUnescape(out); err == nil {
		out = u
	}
	return out
}

// FuzzRedact checks that no 5 consecutive characters of the key's secret
// part survive an excerpt of a body that holds the key, escaped in any mix
// of ways and cut anywhere.
func FuzzRedact(f *testing.F) {
	f.Add("error: ", " rejected", uint64(0), 100, false)
	f.Add(strings.Repeat("x", 4090), "", uint64(0x5555), 4096, true)
	f.Add(strings.Repeat("x", 4080), " more", uint64(0), 4096, true)
	f.Add(strings.Repeat("x", 4000), " more", uint64(0x5555555555), 4096, true)
	f.Add(strings.Repeat("y", 5000), strings.Repeat("z", 10), uint64(0xaaaaaaaa), 5030, true)
	f.Add("{\"message\":\"", "\"}", uint64(0xffffffff), 30, true)
	creds := newCredentials(fuzzKey)
	secret := fuzzKey[len("sk_live_"):]
	f.Fuzz(func(t *testing.T, before, after string, mode uint64, cutAt int, cut bool) {
		if strings.ContainsAny(before+after, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/+=%&#\\") || !utf8.ValidString(before+after) {
			t.Skip()
		}
		body := before + escapeKey(fuzzKey, mode) + after
		if cut {
			if cutAt < 0 {
				cutAt = -cutAt
			}
			body = body[:cutAt%(len(body)+1)]
		}
		out := unescapeAll(creds.excerpt([]byte(body), cut))
		for i := 0; i+5 <= len(secret); i++ {
			if strings.Contains(out, secret[i:i+5]) {
				t.Fatalf("excerpt of %q holds %q: %q", body, secret[i:i+5], out)
			}
		}
	})
}
