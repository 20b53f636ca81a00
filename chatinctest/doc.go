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
// NewTLSServer serves it over HTTPS and HTTP/2, as the API is served; pass
// its Client, which trusts the test certificate, to chatinc.WithHTTPClient.
//
// NewHandler returns the same simulator as an http.Handler, to mount in a
// server of your own (beside other handlers, behind TLS, on a port of your
// choosing), as httptest.NewServer serves the handler it is given; it
// serves the API under /v1 and has the Server's methods.
//
// The package shares no code with the SDK it simulates: it does not import
// it, so that a mistake in the SDK's wire format is caught rather than
// shared.
//
// The simulator keeps state like the API: audiences and their contacts,
// variable groups, campaigns and their runs. It validates every request as
// the API does and answers errors in its shape,
// {"status":"error","message":"..."}, with messages that name the field or
// the CSV line at fault: 400 for invalid input, 401 without the API key,
// 404 for an unknown audience, campaign or path, 405 for a wrong method, 413
// for a body over its limit (32 MiB of JSON, 256 MiB of upload), and 503
// when a burst of bodies passes what it holds at once (see WithBodyMemory).
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
// # Messages, placeholders and buttons
//
// A campaign message may have at most 1024 characters. A {group.field}
// placeholder must name a variable group (by ID or name) and one of its
// fields; a single name in braces, such as {first_name}, is refused as a
// placeholder without its group, rather than sent as literal text. Other
// braces ({}, {a b}) are literal text. These refusals are worded as the
// SDK's chatinc.ValidateMessage words the same problem. Buttons follow
// WhatsApp's limits as the SDK checks them: at most 10, two of type url and
// one of type phone, with a text of at most 25 characters. The template
// types are MARKETING (the default), UTILITY and AUTHENTICATION; a
// messageExample is accepted and listed with the campaign.
//
// # Missing values (the simulator's own addition)
//
// The API, as documented, fills a placeholder a contact has no value for
// with the empty string and says nothing. The simulator says so, in two
// fields the API does not document: the answer of a run (create/campaign
// with runImmediately, run/campaign) has "missingValues", the number of the
// run's contacts without a value (or with an empty one) for at least one of
// the message's placeholders when the run started; and each result row of
// retrieve/campaign (JSON) for such a contact has "missingValues", the
// placeholders ("group.field") it lacked. The CSV export has no such
// column. Code written against the real API must not rely on either field.
//
// # Phone numbers
//
// Numbers may have a leading "+" (or "00", read as "+") and spaces, dashes,
// dots and parentheses between their 7 to 15 digits, the country calling
// code first, even without "+". After its calling code a number must have a
// length that code uses for fixed-line or mobile numbers, by libphonenumber's
// metadata (+1: 10 digits; +55: 10 or 11), as the SDK's NormalizeNumber
// requires: "(555) 010-4477", read as +55 50104477, is refused with a 400.
// The +1 555 ranges are accepted. A national number (one that starts with 0)
// is refused, having no calling code. Numbers are stored without the
// separators and with the "+" if they had one; two numbers with the same
// digits are the same contact.
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
// is handled in this order:
//
//  1. It is logged. The Authorization value is never stored.
//  2. Without the API key it gets 401.
//  3. An injected fault for its path takes it: the API then does not act
//     on it, unless the fault has ActFirst (the API acts, steps 5 and 6,
//     and its answer is discarded) or is a delay alone.
//  4. Over the rate limit it gets 429.
//  5. An unknown path gets 404, a known one with the wrong method 405.
//  6. The endpoint checks the request (400 naming the field or CSV line,
//     404 for an unknown audience or campaign) and acts on it.
//
// So unauthorized requests do not use up faults, and neither they nor
// faulted requests count against the rate limit.
//
// # Bounded memory, and the server's own cost
//
// A server under endless creation (a load test, a chatinc-mock left
// running) holds bounded memory: the request log is a ring (see
// WithRequestLog), and the state is trimmed to the newest 1000 campaigns,
// with their runs and results, the 1000 audiences and the 1000 variable
// groups written most recently (see WithRetention). A forgotten campaign or
// audience answers 404, as one that never existed. A campaign with a run
// still to come is never forgotten, nor an audience or variable group that
// a kept campaign needs. WithRetention(0) keeps everything.
//
// A burst of requests is bounded too: the request bodies the server holds
// (JSON bodies, read whole; uploads, whose rows are collected before they
// are applied; uploads held back by a Delay fault) take at most 256 MiB at
// once across all requests (see WithBodyMemory), each held byte costing
// the heap a small multiple of itself. A body of known length is admitted
// whole before it is read, or answered 503 with "Retry-After: 1" at once;
// one of unknown length is charged as it arrives. A CSV row or header
// longer than 1 MiB is refused (a 400 naming the line it follows), the
// simulator's own bound, having been read no further than that.
//
// Usage says, by path, what answering requests has cost the server: the
// time in its handler and the bytes it served, so that under load the
// simulator's own throughput can be told apart from its clients'.
//
// # Unknown fields
//
// The API ignores a JSON field it does not know, so a misspelt
// "runImediately", a field in the wrong case or the JS library's nested
// "options" object would create a campaign that is never sent, with no
// error. The simulator answers such a request as the API does, but adds a
// warning for each such field, at the top level or in a button or contact
// ("buttons[1].journeyID"), with a suggestion when a known name is close
// (names are matched exactly, case included, as the API matches them): an X-Chatinc-Mock-Warning header (see WarningHeader) and an
// entry in the request's Warnings. WithStrict makes them a 400 instead.
//
// The command github.com/chatinc/chatinc-go/cmd/chatinc-mock serves the same
// simulator on a port, for curl, other languages and test networks, over
// http or (with -tls) https.
package chatinctest
