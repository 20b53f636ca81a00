package chatinc

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithQuery(t *testing.T) {
	tests := []struct {
		name string
		opts any
		want string
	}{
		{"zero options add nothing", RetrieveCampaignsOptions{}, "retrieve/campaigns"},
		{"active", RetrieveCampaignsOptions{Active: true}, "retrieve/campaigns?active=true"},
		{"a pointer", &RetrieveCampaignsOptions{Active: true}, "retrieve/campaigns?active=true"},
		{"nil", nil, "retrieve/campaigns"},
		{"values are escaped", struct {
			Q string `url:"q,omitempty"`
		}{"a b&c=d"}, "retrieve/campaigns?q=a+b%26c%3Dd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := withQuery("retrieve/campaigns", tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := withQuery("retrieve/campaigns", 42)
	assert.ErrorContains(t, err, "retrieve/campaigns")
}
