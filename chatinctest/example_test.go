package chatinctest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
)

// post sends a JSON body to the simulator and prints the answer.
func post(srv *chatinctest.Server, path, body string) {
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", srv.APIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(resp.StatusCode, " ", string(answer))
}

func ExampleNewServer() {
	srv := chatinctest.NewServer()
	defer srv.Close()
	chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	res, err := chat.CreateAudience(ctx, chatinc.AudienceParams{
		ID:       "vip",
		Name:     "VIP",
		Contacts: []chatinc.Contact{{Number: "+1 555 010 0001"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Message)
	contacts, err := chat.RetrieveAudienceContacts(ctx, "vip")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(contacts)
	_, err = chat.RetrieveAudienceContacts(ctx, "nope")
	fmt.Println(errors.Is(err, chatinc.ErrNotFound), err)
	fmt.Println(srv.RequestCount("/retrieve/audience/contacts"), "requests for contacts")
	// Output:
	// audience created
	// [{+15550100001}]
	// true chatinc: POST /retrieve/audience/contacts: 404 Not Found: audience "nope" not found
	// 2 requests for contacts
}

// NewTLSServer serves the simulator over HTTPS and HTTP/2, as the API is
// served; its Client trusts the test certificate.
func ExampleNewTLSServer() {
	srv := chatinctest.NewTLSServer()
	defer srv.Close()
	chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL), chatinc.WithHTTPClient(srv.Client()))
	if err != nil {
		log.Fatal(err)
	}
	audiences, err := chat.RetrieveAudiences(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(audiences), "audiences over", srv.URL[:len("https")])
	// Output: 0 audiences over https
}

// NewHandler serves the simulator from a server of your own: here under
// /chatinc, beside the other handlers of a test server.
func ExampleNewHandler() {
	sim := chatinctest.NewHandler(chatinctest.WithAPIKey("sk_test_example"))
	defer sim.Close()
	mux := http.NewServeMux()
	mux.Handle("/chatinc/", http.StripPrefix("/chatinc", sim))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	chat, err := chatinc.NewClient(sim.APIKey(), chatinc.WithBaseURL(srv.URL+"/chatinc/v1"))
	if err != nil {
		log.Fatal(err)
	}
	groups, err := chat.RetrieveVariableGroups(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(groups), "variable groups;", sim.RequestCount("/retrieve/variable/groups"), "request")
	// Output: 0 variable groups; 1 request
}

func ExampleServer_InjectFault() {
	srv := chatinctest.NewServer()
	defer srv.Close()

	// The next two requests to create an audience fail; the third succeeds.
	srv.InjectFault("/create/audience", 2, chatinctest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "1"})
	for range 3 {
		post(srv, "/create/audience", `{"id":"vip","name":"VIP"}`)
	}
	for _, r := range srv.Requests() {
		fmt.Println(r.Method, r.Path, r.Status)
	}
	// Output:
	// 503 {"message":"injected fault: Service Unavailable","status":"error"}
	// 503 {"message":"injected fault: Service Unavailable","status":"error"}
	// 200 {"contactsAdded":0,"id":"vip","message":"audience created","status":"success","totalContacts":0}
	// POST /create/audience 503
	// POST /create/audience 503
	// POST /create/audience 200
}
