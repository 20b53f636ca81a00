// Package restybench puts chatinc-go beside github.com/go-resty/resty/v2,
// a client many would pick instead of an SDK, making the same calls with
// the same transport: the second peer of the benchmarks in bench/. It is a
// module of its own, so that chatinc-go's go.mod does not gain resty.
//
// The package has no API; its benchmarks and TestRestyAgrees are in
// resty_test.go. See BENCHMARKS.md and scripts/bench-compare.sh.
package restybench
