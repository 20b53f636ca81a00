package chatinc_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHelpersReachTheMock(t *testing.T) {
	c, mock := newTestClient(t)
	mock.RegisterResponder(http.MethodGet, apiURL("/retrieve/audiences"),
		respond(t, 200, `{"status":"success","audiences":[{"id":"a","name":"A"}]}`, func(r *http.Request) {
			testMethod(t, r, http.MethodGet)
			testHeader(t, r)
		}))
	got, err := c.RetrieveAudiences(context.Background())
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, 1, calls(mock, http.MethodGet, "/retrieve/audiences"))
}
