package chatinctest

import (
	"strconv"
	"time"
)

// action is what happened to one message of a run.
type action uint8

// The actions, in the order outcome draws them.
const (
	notOnWhatsApp action = iota // 3%
	sendError                   // 2%
	deliveryError               // 5%
	sent                        // 10%: sent, not delivered
	delivered                   // 35%: delivered, not read
	read                        // 45%
	numActions
)

// String returns the action's name in the API's results.
func (a action) String() string {
	switch a {
	case notOnWhatsApp:
		return "not_on_whatsapp"
	case sendError:
		return "send_error"
	case deliveryError:
		return "delivery_error"
	case sent:
		return "sent"
	case delivered:
		return "delivered"
	default:
		return "read"
	}
}

// outcome returns what happened to the message of a run to a contact, and
// how long after the run it happened: both drawn from a hash of the seed,
// the campaign, the run and the contact, so the same inputs always give the
// same outcome.
func outcome(seed int64, campaignID, runID, key string) (action, time.Duration) {
	h := hash(seed, campaignID, runID, key)
	after := time.Duration(h>>32%3600) * time.Second
	switch p := h % 100; {
	case p < 3:
		return notOnWhatsApp, after
	case p < 5:
		return sendError, after
	case p < 10:
		return deliveryError, after
	case p < 20:
		return sent, after
	case p < 55:
		return delivered, after
	default:
		return read, after
	}
}

// tally counts the actions of a run's messages.
type tally [numActions]int

// add counts t2 into t.
func (t *tally) add(t2 tally) {
	for a, n := range t2 {
		t[a] += n
	}
}

// hash mixes the seed and parts into 64 well-spread bits: FNV-1a over them,
// then the SplitMix64 finalizer.
func hash(seed int64, parts ...string) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for i := 0; i < 64; i += 8 {
		h = (h ^ uint64(seed)>>i&0xff) * prime
	}
	for _, p := range parts {
		for i := 0; i < len(p); i++ {
			h = (h ^ uint64(p[i])) * prime
		}
		h = (h ^ 0xff) * prime // a separator: ("ab","c") differs from ("a","bc")
	}
	return mix(h)
}

// mix is the SplitMix64 finalizer.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// makeID returns prefix and 15 letters and digits drawn from the seed and
// the n-th ID of its kind.
func makeID(seed int64, prefix string, n uint64) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := []byte(prefix)
	x := hash(seed, prefix, strconv.FormatUint(n, 10))
	for i := 0; i < 15; i++ {
		if i == 10 { // 62^10 < 2^64: ten letters use up one draw
			x = mix(x + 0x9e3779b97f4a7c15)
		}
		b = append(b, alphabet[x%uint64(len(alphabet))])
		x /= uint64(len(alphabet))
	}
	return string(b)
}
