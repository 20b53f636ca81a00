package chatinc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The polling schedule of AwaitRun and AwaitApproval: a read at once, then
// after firstPoll, doubling up to maxPoll between reads.
const (
	firstPoll = time.Second
	maxPoll   = 10 * time.Second
)

// AwaitRun tells whether a run of campaignID went out, after RunCampaign
// failed with an error matching ErrOutcomeUnknown: runsBefore is the
// campaign's RunCount from before the call (FindCampaign). It reads the
// campaign (FindCampaign's read) at once, then again after 1s, doubling
// to 10s between reads (longer when a read's error carries Retry-After),
// until its RunCount exceeds runsBefore, and returns that campaign. It
// never sends, nor writes anything.
//
// Give it a context of its own (a minute or so), not the one that ended
// the send. When ctx ends first, the error matches both ErrOutcomeUnknown
// and ctx's error: whether the run went out is still not known, and it
// must not be sent again on that ground. When the answer has no "runs"
// array (RunCount -1), it returns at once an error matching
// ErrOutcomeUnknown that says so. A read's definite error (ErrNotFound, a
// 401) is returned as it is; a transient one (a 5xx, 429, a dropped
// connection) is read again on the schedule.
func (c *Client) AwaitRun(ctx context.Context, campaignID string, runsBefore int) (*Campaign, error) {
	ctx = c.named(ctx, "AwaitRun")
	return c.await(ctx, campaignID, func(camp *Campaign) (bool, error) {
		if camp.RunCount < 0 {
			return true, &outcomeUnknownError{
				err:    fmt.Errorf("chatinc: campaign %q: the answer has no runs array, so whether a run went out cannot be read", campaignID),
				advice: "do not send it again on this ground",
			}
		}
		return camp.RunCount > runsBefore, nil
	}, func(err error) error {
		return &outcomeUnknownError{
			err:    fmt.Errorf("chatinc: campaign %q: no run beyond the %d before seen when the wait ended: %w", campaignID, runsBefore, err),
			advice: "do not send it again before RunCount says it did not go out",
		}
	})
}

// AwaitApproval waits until the WhatsApp template of campaignID is
// reviewed, reading the campaign on AwaitRun's schedule: it returns the
// campaign once WhatsAppTemplatesStatus is APPROVED (in any case), an
// error matching ErrTemplateRejected when it is REJECTED, and an error
// matching ctx's when ctx ends first. It never writes. A read's definite
// error (ErrNotFound, a 401) is returned as it is.
func (c *Client) AwaitApproval(ctx context.Context, campaignID string) (*Campaign, error) {
	ctx = c.named(ctx, "AwaitApproval")
	return c.await(ctx, campaignID, func(camp *Campaign) (bool, error) {
		switch {
		case strings.EqualFold(camp.WhatsAppTemplatesStatus, "APPROVED"):
			return true, nil
		case strings.EqualFold(camp.WhatsAppTemplatesStatus, "REJECTED"):
			return true, fmt.Errorf("chatinc: campaign %q: %w", campaignID, ErrTemplateRejected)
		}
		return false, nil
	}, func(err error) error {
		return fmt.Errorf("chatinc: campaign %q: template not approved when the wait ended: %w", campaignID, err)
	})
}

// await reads campaignID at once and then on the polling schedule until
// done says so, and returns the campaign with done's error. A read's
// transient error is read again; a definite one is returned. ended makes
// the error for ctx's end.
func (c *Client) await(ctx context.Context, campaignID string, done func(*Campaign) (bool, error), ended func(error) error) (*Campaign, error) {
	if err := checkName("campaignId", campaignID); err != nil {
		return nil, err
	}
	next := firstPoll
	var wait time.Duration
	for {
		if wait > 0 {
			if err := c.pause(ctx, wait); err != nil {
				return nil, ended(err)
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, ended(err)
		}
		camp, err := c.FindCampaign(ctx, campaignID)
		if err == nil {
			if ok, err := done(camp); ok {
				if err != nil {
					return nil, err
				}
				return camp, nil
			}
		} else if ctx.Err() != nil {
			return nil, ended(ctx.Err())
		} else if !transient(err) {
			return nil, err
		}
		wait, next = next, min(next*2, maxPoll)
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.RetryAfter > wait {
			wait = apiErr.RetryAfter
		}
	}
}

// transient reports whether a read's error may pass if read again: a 408,
// 429 or 5xx, or no answer at all. A 4xx, ErrNotFound, an answer that
// could not be decoded or was too large, and bad input are definite.
func transient(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		s := apiErr.StatusCode
		return s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s >= 500
	}
	var de *DecodeError
	var ve *ValidationError
	return !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrResponseTooLarge) &&
		!errors.As(err, &de) && !errors.As(err, &ve)
}

// pause waits d, or until ctx ends (its error); c.sleep in tests.
func (c *Client) pause(ctx context.Context, d time.Duration) error {
	if c.sleep != nil {
		return c.sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
