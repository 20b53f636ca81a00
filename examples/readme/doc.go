// Package readme holds the Go code blocks of the repository's README.md,
// one package per block (block01, block02, ...), so that go vet,
// staticcheck and the compiler check them like any other code, and the
// README's test block runs with the suite. TestREADMEBlocks fails when a
// block differs from its copy here, or is not gofmt-formatted, or does not
// build and vet.
//
// After editing the README's Go code, update the copies with
//
//	go generate ./examples/readme
package readme

//go:generate go test . -run TestREADMEBlocks -update
