package chatinctest

import (
	"log/slog"
	"time"
)

// Option configures NewHandler and NewServer.
type Option func(*config)

// config is what the Options set.
type config struct {
	apiKey     string // "": a random key
	seed       int64
	rateLimit  int
	rateWindow time.Duration
	now        func() time.Time
	requestLog int   // 0: defaultRequestLog; negative: none
	retention  int   // 0: defaultRetention; negative: no bound
	bodyMemory int64 // 0: defaultBodyMemory; negative: no bound
	strict     bool
	logger     *slog.Logger
	review     func(title, message string) (status string, after time.Duration)
}

// defaultRetention is how many campaigns, audiences and variable groups the
// server keeps unless WithRetention says otherwise.
const defaultRetention = 1000

// defaultBodyMemory is how many bytes of request bodies the server holds
// at once, across all requests, unless WithBodyMemory says otherwise.
const defaultBodyMemory = 256 << 20

// newConfig applies opts over the defaults.
func newConfig(opts []Option) config {
	c := config{seed: 1, now: time.Now}
	for _, opt := range opts {
		opt(&c)
	}
	if c.apiKey == "" {
		c.apiKey = newAPIKey()
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.retention == 0 {
		c.retention = defaultRetention
	}
	if c.bodyMemory == 0 {
		c.bodyMemory = defaultBodyMemory
	}
	return c
}

// WithSeed sets the seed of the generated IDs and of the outcome of every
// message: the same seed and the same requests give the same campaign IDs
// and results. The default seed is 1.
func WithSeed(seed int64) Option {
	return func(c *config) { c.seed = seed }
}

// WithAPIKey sets the API key the server accepts. By default it is a random
// key of the form "sk_test_<32 hex digits>"; an empty key keeps that
// default.
func WithAPIKey(key string) Option {
	return func(c *config) { c.apiKey = key }
}

// WithRateLimit makes the server answer at most n requests in any window
// of length per. A request over the limit gets 429 Too Many Requests, with
// a Retry-After header (in whole seconds) saying when the window makes room,
// and does not count against the limit. n <= 0 or per <= 0: no limit, the
// default.
func WithRateLimit(n int, per time.Duration) Option {
	return func(c *config) { c.rateLimit, c.rateWindow = n, per }
}

// WithTemplateReview sets how WhatsApp reviews the template of each new
// campaign: its status (whatsAppTemplatesStatus) is PENDING until after
// has passed on the server's clock (WithClock), then the status review
// returned, such as "APPROVED" or "REJECTED". review runs once per
// campaign, with the campaign's title and message, outside the server's
// lock; it must be safe for concurrent use. The default approves every
// template at once. A run of a campaign whose template is not APPROVED is
// refused with a 400: the simulator's own rule, standing in for WhatsApp
// refusing to send a template it has not approved.
func WithTemplateReview(review func(title, message string) (status string, after time.Duration)) Option {
	return func(c *config) { c.review = review }
}

// WithClock sets the server's clock, which says when scheduled runs take
// place (a run whose timeToRun has not come has no results and keeps its
// campaign active) and drives the rate limit's window. Tests of scheduled
// runs can move the clock instead of sleeping; now must be safe for
// concurrent use. The default is time.Now. Through the SDK, start the
// clock at or after the real time: chatinc refuses a TimeToRun more than a
// minute in the past by its own clock.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithRequestLog sets how many of the most recent requests Requests
// returns: the log is a ring, so that a server under heavy or long use
// holds bounded memory. RequestCount still counts every request. n <= 0
// keeps none. The default is 1000.
func WithRequestLog(n int) Option {
	return func(c *config) {
		if n <= 0 {
			n = -1
		}
		c.requestLog = n
	}
}

// WithRetention bounds the state the server keeps, so that a server under
// endless creation (a load test, a long-running chatinc-mock) holds bounded
// memory, as WithRequestLog bounds the request log. It keeps, for the
// server's one API key, the n campaigns created most recently (running one
// again does not make it newer), with their runs and results, and the n
// audiences and the n variable groups written (created or changed) most
// recently; older ones are forgotten, and answer as if they had never
// existed: 404 for a campaign or an audience, absent from the lists, left
// out of the audience "all". The server never forgets a campaign with a run
// still to come (scheduled, by the server's clock), an audience that a run
// of a kept campaign names, nor a variable group that the message of a kept
// campaign refers to: so it may keep more than n of each, as many more as
// those. The default is 1000 of each, more than a test usually creates;
// n <= 0 keeps everything (memory then grows with every campaign created).
func WithRetention(n int) Option {
	return func(c *config) {
		if n <= 0 {
			n = -1
		}
		c.retention = n
	}
}

// WithBodyMemory bounds the request bodies the server holds at once,
// across all requests, to n bytes: every byte of a request body it reads (a
// JSON body, read whole; an upload, whose rows are collected before they
// are applied; an upload held back by a Delay fault) counts until that
// request has been answered. A request that would take more is answered
// 503 with "Retry-After: 1" before the server acts on it, as an API out of
// capacity would, so that a burst of large uploads cannot take the memory
// of the process. What the server keeps (audiences, results, the request
// log) is bounded by WithRetention and WithRequestLog instead. The default
// is 256 MiB, one upload of the largest size the server accepts; n <= 0
// sets no bound.
func WithBodyMemory(n int64) Option {
	return func(c *config) {
		if n <= 0 {
			n = -1
		}
		c.bodyMemory = n
	}
}

// WithStrict makes the server answer 400 to a JSON body with a field the
// API does not know, such as "runImediately", a nested "options" object or
// a button's "journeyID", naming the fields. Without it such a request is
// answered with a warning: an X-Chatinc-Mock-Warning header and an entry in
// the request's Warnings.
func WithStrict() Option {
	return func(c *config) { c.strict = true }
}

// WithLogger makes the server log a Warn line to l for each warning it
// answers with (see WarningHeader), with the request's method and path.
// The default, and nil, log nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}
