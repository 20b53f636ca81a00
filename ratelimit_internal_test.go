package chatinc

import (
	"context"
	"testing"

	"golang.org/x/time/rate"
)

// BenchmarkWaitTurn measures the wait for a token alone, when the limiter
// never makes it wait, next to a client without a limiter.
func BenchmarkWaitTurn(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []Option
	}{
		{"none", nil},
		{"limit", []Option{WithRateLimit(rate.Limit(1e12), 1<<30)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := NewClient("sk_test_bench_0123456789", bc.opts...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := c.waitTurn(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
