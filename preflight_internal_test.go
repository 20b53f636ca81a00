package chatinc

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestValidateMessageEndsWithContext: a message as the API returns it (no
// length limit applies to it) full of malformed placeholders, against
// thousands of groups, ends with the context's error once the context has
// ended, whatever kind of placeholder it is looking at.
func TestValidateMessageEndsWithContext(t *testing.T) {
	groups := make([]VariableGroup, 5000)
	for i := range groups {
		groups[i] = VariableGroup{ID: strconv.Itoa(i), Name: "g" + strconv.Itoa(i), Fields: []string{"code"}}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, message := range map[string]string{
		"no group":      strings.Repeat("{code} ", 20_000),
		"unknown group": strings.Repeat("{nogroup.code} ", 20_000),
	} {
		if err := validateMessage(ctx, message, groups); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v, want context.Canceled", name, err)
		}
	}
}
