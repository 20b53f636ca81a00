// Package bench holds benchmarks that put chatinc-go beside a hand-written
// net/http + encoding/json client doing the identical request (same
// headers, same body, same decode target, the same tuned transport), side
// by side in one run, so that their ratio means something on a noisy
// machine. See BENCHMARKS.md at the repository's root for the figures and
// the commands that produce them, and scripts/bench-compare.sh.
//
// The package has no API; its benchmarks are in bench_test.go.
package bench
