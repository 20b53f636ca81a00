package chatinc

import (
	"strings"
	"testing"
)

// BenchmarkExcerpt measures the redaction of a 4 KiB error body: plain
// text (the common case), and text with escapes, which the patterns scan.
func BenchmarkExcerpt(b *testing.B) {
	k := newCredentials(fuzzKey)
	for name, body := range map[string]string{
		"plain":   strings.Repeat("upstream timed out ", 220),
		"escapes": strings.Repeat(`{"a":"\u00e9"} `, 280),
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				k.excerpt([]byte(body), true)
			}
		})
	}
}
