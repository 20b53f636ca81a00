package chatinctest_test

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/chatinc/chatinc-go/chatinctest"
)

// A fault with ActFirst loses the answer but not the effect: the audience
// exists although its creator saw a 502.
func ExampleFault_actFirst() {
	srv := chatinctest.NewServer()
	defer srv.Close()

	srv.InjectFault("/create/audience", 1, chatinctest.Fault{Status: http.StatusBadGateway, ActFirst: true})
	post(srv, "/create/audience", `{"id":"vip","name":"VIP","contacts":[{"number":"+15550100001"}]}`)
	post(srv, "/retrieve/audience/contacts", `{"id":"vip"}`)
	fmt.Println(srv.Requests()[0].Status)
	// Output:
	// 502 {"message":"injected fault: Bad Gateway","status":"error"}
	// 200 {"contacts":[{"number":"+15550100001"}],"id":"vip","status":"success"}
	// 502
}

// WithClock lets a test move time on instead of sleeping until a scheduled
// run takes place.
func ExampleWithClock() {
	var (
		mu  sync.Mutex
		now = time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
	)
	srv := chatinctest.NewServer(chatinctest.WithClock(func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}))
	defer srv.Close()

	post(srv, "/create/audience", `{"id":"vip","name":"VIP","contacts":[{"number":"+15550100001"}]}`)
	at := now.Add(time.Hour).Unix()
	post(srv, "/create/campaign", fmt.Sprintf(`{"title":"Sale","message":"Hi","runImmediately":true,"audiences":["vip"],"timeToRun":%d}`, at))
	post(srv, "/retrieve/campaign", `{"campaignId":"c_7ThOBn7JttUztc3"}`)

	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	post(srv, "/retrieve/campaign", `{"campaignId":"c_7ThOBn7JttUztc3"}`)
	// Output:
	// 200 {"contactsAdded":1,"id":"vip","message":"audience created","status":"success","totalContacts":1}
	// 200 {"campaignId":"c_7ThOBn7JttUztc3","contacts":1,"message":"campaign created","missingValues":0,"runId":"r_AVDGLIesYtABTuV","status":"success"}
	// 200 []
	// 200 [{"number":"+15550100001","action":"read","runId":"r_AVDGLIesYtABTuV","message":"Hi","timestamp":1893579856}
	// ]
}

// WithRequestLog bounds what Requests keeps; RequestCount counts all.
func ExampleWithRequestLog() {
	srv := chatinctest.NewServer(chatinctest.WithRequestLog(2))
	defer srv.Close()

	for _, id := range []string{"a", "b", "c"} {
		post(srv, "/create/audience", `{"id":"`+id+`","name":"A"}`)
	}
	fmt.Println(len(srv.Requests()), "kept of", srv.RequestCount("/create/audience"))
	// Output:
	// 200 {"contactsAdded":0,"id":"a","message":"audience created","status":"success","totalContacts":0}
	// 200 {"contactsAdded":0,"id":"b","message":"audience created","status":"success","totalContacts":0}
	// 200 {"contactsAdded":0,"id":"c","message":"audience created","status":"success","totalContacts":0}
	// 2 kept of 3
}

// WithRetention bounds the state a server keeps: beyond the newest n
// campaigns, the oldest is forgotten and answers 404.
func ExampleWithRetention() {
	srv := chatinctest.NewServer(chatinctest.WithRetention(2))
	defer srv.Close()

	for _, title := range []string{"first", "second", "third"} {
		post(srv, "/create/campaign", `{"title":"`+title+`","message":"Hi"}`)
	}
	post(srv, "/run/campaign", `{"campaignId":"c_7ThOBn7JttUztc3","audiences":["all"]}`)
	// Output:
	// 200 {"campaignId":"c_7ThOBn7JttUztc3","message":"campaign created","status":"success"}
	// 200 {"campaignId":"c_77JouECzdsFvQBY","message":"campaign created","status":"success"}
	// 200 {"campaignId":"c_4U6CFoBIwW4RVM9","message":"campaign created","status":"success"}
	// 404 {"message":"campaign \"c_7ThOBn7JttUztc3\" not found","status":"error"}
}

// Usage tells the simulator's own cost apart from its clients': by path,
// the requests answered, the time in the handler and the bytes served.
func ExampleServer_Usage() {
	srv := chatinctest.NewServer()
	defer srv.Close()

	post(srv, "/create/audience", `{"id":"vip","name":"VIP","contacts":[{"number":"+15550100001"}]}`)
	post(srv, "/retrieve/audience/contacts", `{"id":"vip"}`)
	post(srv, "/retrieve/audience/contacts", `{"id":"vip"}`)

	u := srv.Usage()["/retrieve/audience/contacts"]
	fmt.Println(u.Requests, "reads,", u.Bytes, "bytes served, time in the handler:", u.Handling > 0)
	// Output:
	// 200 {"contactsAdded":1,"id":"vip","message":"audience created","status":"success","totalContacts":1}
	// 200 {"contacts":[{"number":"+15550100001"}],"id":"vip","status":"success"}
	// 200 {"contacts":[{"number":"+15550100001"}],"id":"vip","status":"success"}
	// 2 reads, 142 bytes served, time in the handler: true
}
