// Package chatinctest provides an in-memory simulator of the Chat Inc API
// for tests: what net/http/httptest is to HTTP, for Chat Inc.
//
// NewServer starts the simulator on a loopback port. Point a client at its
// URL with its APIKey and use it as you would the real API, with no account
// and no WhatsApp message sent:
//
//	srv := chatinctest.NewServer()
//	defer srv.Close()
//	chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL))
//
// The simulator keeps state like the API: audiences and their contacts,
// variable groups, campaigns and their runs. It validates every request as
// the API does and answers errors in its shape,
// {"status":"error","message":"..."}, with messages that name the field or
// the CSV line at fault: 400 for invalid input, 401 without the API key,
// 404 for an unknown audience, campaign or path, 405 for a wrong method, 413
// for a body over its limit (32 MiB of JSON, 256 MiB of upload).
//
// # Results
//
// Running a campaign sends nothing. Each message of a run (one per contact)
// gets an outcome drawn from a hash of the seed (see WithSeed), the
// campaign, the run and the number, so the same requests always give the
// same results: about 45% read, 35% delivered, 10% sent but not delivered,
// 5% delivery errors, 2% send errors and 3% numbers not on WhatsApp. A run
// with a timeToRun in the future is scheduled, and has results only once
// that time has passed on the server's clock: WithClock sets that clock, so
// tests of scheduled runs need not sleep. A result's message is the campaign's message with
// its {group.field} placeholders filled in from the variable groups as they
// are when the results are read.
//
// # Phone numbers
//
// Numbers may have a leading "+" and spaces, dashes, dots and parentheses
// between their 7 to 15 digits. They are stored without the separators and
// with the "+" if they had one; two numbers with the same digits are the
// same contact.
//
// # Faults, rate limits and the request log
//
// InjectFault makes the next requests to a path fail, drop the connection
// or wait, to test retries and timeouts; with Fault.ActFirst the API acts
// on the request before the fault takes its answer, as when a connection
// drops after the server has sent a campaign. WithRateLimit answers 429
// beyond a rate. Requests returns the most recent requests the server
// received (a bounded log, see WithRequestLog) and RequestCount counts all
// of them, for assertions such as "the campaign was sent once". A request
// is handled in this order: it is logged; without the API key it gets 401;
// an injected fault for its path takes it (the API then does not act on it,
// unless the fault has ActFirst); over the rate limit it gets 429;
// otherwise the API answers it. So unauthorized requests do not use up
// faults, and neither they nor faulted requests count against the rate
// limit.
//
// The command github.com/chatinc/chatinc-go/cmd/chatinc-mock serves the same
// simulator on a port, for curl and other languages.
package chatinctest
