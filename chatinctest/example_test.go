package chatinctest_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"

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
	// With the SDK: chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL)).

	post(srv, "/create/audience", `{"id":"vip","name":"VIP","contacts":[{"number":"+1 555 010 0001"}]}`)
	post(srv, "/retrieve/audience/contacts", `{"id":"vip"}`)
	post(srv, "/retrieve/audience/contacts", `{"id":"nope"}`)
	fmt.Println(srv.RequestCount("/retrieve/audience/contacts"), "requests for contacts")
	// Output:
	// 200 {"contactsAdded":1,"id":"vip","message":"audience created","status":"success","totalContacts":1}
	// 200 {"contacts":[{"number":"+15550100001"}],"id":"vip","status":"success"}
	// 404 {"message":"audience \"nope\" not found","status":"error"}
	// 2 requests for contacts
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
