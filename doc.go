// Package chatinc is the Go SDK for the Chat Inc WhatsApp broadcast API:
// build audiences, attach per-contact variables, create and run broadcast
// campaigns, and read back what happened to every message.
//
// It mirrors the chatinc JavaScript library (createCampaign becomes
// [Client.CreateCampaign], and so on), takes a [context.Context] first on
// every call, checks input before anything is sent, streams uploads and CSV
// exports, and retries only what is safe to retry: a call that may have
// sent messages is never sent twice. Package
// [github.com/chatinc/chatinc-go/chatinctest] is an in-memory simulator of
// the API, for tests and for trying the SDK with no account.
//
// The sections below follow a broadcast from start to finish: a client, an
// audience, a variable group, a campaign, a run, its results; then the retry
// rule, checking a campaign before it goes out, and testing.
//
// # A client
//
// [NewClient] takes the API key and options; it makes no network call. A
// [*Client] is safe for concurrent use: make one and share it.
//
//	chat, err := chatinc.NewClient(os.Getenv("CHATINC_API_KEY"),
//		chatinc.WithPreflight(),            // every send checks itself first (see Before you send)
//		chatinc.WithLogger(slog.Default()), // optional: attempts at Debug, retries at Info
//	)
//	if err != nil {
//		log.Fatal(err)
//	}
//
// Every call goes to one base URL, [DefaultBaseURL] unless [WithBaseURL]
// says otherwise; the base URL includes the version prefix "/v1". The API
// key goes only to that host, only over https (http only to a loopback
// host, or on a test network with [WithInsecureCleartextForTesting]), and
// never into an error, a log line or fmt output.
//
// # An audience
//
// An audience is a set of contacts, by phone number, that campaigns are
// sent to. Create one with [Client.CreateAudience] (or from a CSV file with
// [Client.CreateAudienceFromFile]) and add to it with
// [Client.AddContactsToAudience]. The ID is yours to choose; [AudienceAll]
// targets every contact of the account.
//
//	_, err = chat.CreateAudience(ctx, chatinc.AudienceParams{
//		ID:       "frequent-shoppers",
//		Name:     "Frequent Shoppers",
//		Contacts: []chatinc.Contact{{Number: "+15551230001"}, {Number: "+15551230002"}},
//	})
//
// # A variable group
//
// A variable group holds per-contact values that messages refer to as
// {group.variable}: the group "users" with the field "first_name" fills
// {users.first_name}. Create it from rows with [Client.CreateVariableGroup],
// or from a CSV file with a "number" column with
// [Client.CreateVariableGroupFromFile] and [FileFromPath], which streams
// the file however large it is.
//
//	_, err = chat.CreateVariableGroup(ctx, chatinc.VariableGroupParams{
//		ID: "users", Name: "users", Fields: []string{"first_name"},
//		Values: []chatinc.Row{
//			{Number: "+15551230001", Values: map[string]string{"first_name": "Ada"}},
//			{Number: "+15551230002", Values: map[string]string{"first_name": "Grace"}},
//		},
//	})
//
// # A campaign
//
// [Client.CreateCampaign] creates a campaign: its title, its message with
// placeholders, an optional image and buttons ([URLButton], [PhoneButton],
// [InputButton], [JourneyButton]). With [CampaignOptions].RunImmediately it
// is sent at once to the options' audiences; without, it is created as a
// WhatsApp template to be run later. The [Result] holds its CampaignID.
//
//	created, err := chat.CreateCampaign(ctx, chatinc.CampaignParams{
//		Title:   "Spring sale",
//		Message: "Hi {users.first_name}, our spring sale starts today!",
//		Buttons: []chatinc.Button{chatinc.URLButton("Shop now", "https://example.com/sale")},
//	}, chatinc.CampaignOptions{})
//	if err != nil {
//		return err
//	}
//
// # A run
//
// [Client.RunCampaign] sends a campaign to audiences, now or at
// [RunCampaignParams].TimeToRun. Running it again sends it again.
//
//	_, err = chat.RunCampaign(ctx, chatinc.RunCampaignParams{
//		CampaignID: created.CampaignID,
//		Audiences:  []string{"frequent-shoppers"},
//	})
//
// # Results
//
// [Client.RetrieveCampaigns] lists the campaigns with their totals
// ([Campaign].TotalSent, TotalDelivered, TotalRead and the error counts,
// [Campaign.DeliveryRate], [Campaign.ReadRate]) and their runs
// ([CampaignRun], with [RunScheduled] or [RunCompleted]).
// [Client.RetrieveCampaignDetails] returns one [CampaignDetail] per message:
// the contact's number and its Action, one of [ActionSent],
// [ActionDelivered], [ActionRead], [ActionSendError], [ActionDeliveryError]
// and [ActionNotOnWhatsApp]. For large campaigns, range over
// [Client.CampaignDetails] instead: it decodes the rows one at a time while
// the answer streams, so memory does not grow with the campaign; or let
// [Client.RetrieveCampaignDetailsCSV] stream the same results as CSV to an
// [io.Writer]. [Client.FindCampaign] looks one campaign up by its ID.
//
//	for d, err := range chat.CampaignDetails(ctx, created.CampaignID) {
//		if err != nil {
//			return err // the last pair: the rows before it were real
//		}
//		if d.Action == chatinc.ActionNotOnWhatsApp {
//			fmt.Println("not on WhatsApp:", d.Number)
//		}
//	}
//
// # The retry rule
//
// Reads (every Retrieve call) and the writes that carry your IDs
// (audiences, variable groups, uploads) are retried after a transport
// error, a 429 or a 5xx other than 501, with exponential backoff and
// jitter ([WithRetryMax], [WithRetryWait]) and any Retry-After up to 60 s.
//
// [Client.CreateCampaign] and [Client.RunCampaign] send messages to people,
// and the API has no idempotency key, so they are retried only when the
// server cannot have acted: the connection was never made, a 429, or a 503
// with Retry-After. They are not resent below the SDK either: net/http's
// HTTP/2 transport would resend a request on a stream reset or GOAWAY, and
// the SDK does not let it. After any other failure — a 5xx but 501, a
// timeout, a dropped connection, a stream reset — the messages may or may
// not have gone out, and the error matches [ErrOutcomeUnknown]. Do not
// call again: find out, and never resend. Take the campaign's
// [Campaign].RunCount before the run ([Client.FindCampaign]); after an
// unknown outcome, [Client.AwaitRun] reads the campaign (it never writes)
// until its RunCount is past that one, in a context of its own, since the
// run's context may be what ended.
//
//	before, err := chat.FindCampaign(ctx, params.CampaignID)
//	if err != nil {
//		return err
//	}
//	_, err = chat.RunCampaign(ctx, params)
//	if errors.Is(err, chatinc.ErrOutcomeUnknown) {
//		look, cancel := context.WithTimeout(context.Background(), time.Minute)
//		defer cancel()
//		if _, lerr := chat.AwaitRun(look, params.CampaignID, before.RunCount); lerr != nil {
//			return errors.Join(err, lerr) // still unknown: do not send again without looking
//		}
//		return nil // it went out, once
//	}
//	return err // nil, or an error after which nothing went out
//
// A [Client.CreateCampaign] with RunImmediately sends in the request that
// creates the campaign, so after its unknown outcome there is no ID to look
// up. To send so that the ID is known, create the campaign as a template
// (nothing is sent), wait for WhatsApp's approval with
// [Client.AwaitApproval] (a rejected template matches
// [ErrTemplateRejected]), and send it with RunCampaign.
//
// When retries run out, the call returns the last attempt's error: the
// [*APIError] of the last answer, or its transport error.
//
// # Before you send
//
// Every call checks its input before anything goes on the wire — required
// fields, phone numbers, the WhatsApp button rules, image URLs, audience IDs
// — and returns a [*ValidationError] naming the field; nothing was sent.
// Every contact and row is checked with [NormalizeNumber]'s rule (a
// national number such as 07700 900123 is refused: add the country code;
// so is a number whose length its country calling code does not use for
// fixed-line or mobile numbers, by libphonenumber's metadata), and a
// [CampaignOptions].TimeToRun more than a minute in the past is refused
// too. Every [Client.CreateCampaign] checks its message's placeholders'
// form ({group.variable}, closed, a group's Name), refuses a TimeToRun
// without RunImmediately (which would schedule nothing) and a template
// type other than the [TemplateType] constants, all with no read.
//
//	_, err = chat.CreateCampaign(ctx, chatinc.CampaignParams{
//		Title: "Spring sale", Message: "Hi!",
//		Buttons: []chatinc.Button{chatinc.URLButton("Shop", "example.com/sale")},
//	}, chatinc.CampaignOptions{})
//	var invalid *chatinc.ValidationError
//	if errors.As(err, &invalid) {
//		fmt.Println(invalid.Field) // "buttons[0].url": not an absolute URL; nothing was sent
//	}
//
// Beyond that, the pre-flight calls catch the mistakes a send cannot undo:
// [Client.CheckCampaign] checks a campaign's placeholders against the
// account's variable groups and its audience IDs against the account's
// audiences, making reads only, and reports every problem at once in a
// [*CheckError]; [ValidateMessage], [RenderMessage] and [Placeholders] check
// a message, or show it as one contact will read it, with no call at all.
// [CheckCSV] reads a contacts file once, streaming, and lists its invalid
// numbers, duplicates and ragged rows, and counts the empty cells of each
// column ([CSVReport].Empty: each such contact would read "Hi , your code
// is ."); [File.WithProgress] reports an upload's progress without making
// it any less retryable.
//
// A client made [WithPreflight] makes those reads before every send:
// CheckCampaign before a CreateCampaign with RunImmediately, and
// [Client.CheckRun] before a RunCampaign (the campaign exists, its
// template is not REJECTED, its message and the audiences hold). A failed
// check or read sends nothing and never matches ErrOutcomeUnknown. Without
// it, one call is one request.
//
//	if err := chat.CheckCampaign(ctx, params, opts); err != nil {
//		var ce *chatinc.CheckError
//		if errors.As(err, &ce) {
//			for _, p := range ce.Problems {
//				fmt.Println(p) // message: {users.frist_name} at byte 3: ... (did you mean {users.first_name}?)
//			}
//		}
//		return err // nothing was sent
//	}
//	params.MessageExample, err = chatinc.RenderMessage(params.Message, map[string]map[string]string{
//		"users": {"first_name": "Ada"},
//	})
//
// # Errors
//
// An error answer is an [*APIError] (status, message, Retry-After), matched
// with [errors.As], or by kind with [errors.Is] and [ErrUnauthorized],
// [ErrNotFound] or [ErrRateLimited]. A 2xx answer whose body says
// "status":"error" is an [*APIError] too. A success the SDK cannot decode
// is a [*DecodeError]. Context cancellation and deadlines match
// [context.Canceled] and [context.DeadlineExceeded].
//
// [APIError.Header] holds the answer's headers, without Set-Cookie and
// without any value that holds the key, so that a request ID can be quoted
// to support.
//
// # Observability and rate limits
//
// [WithLogger] logs each attempt and each retry; [WithHooks] calls a
// [Hooks].Attempt function after every attempt of every call, on the
// calling goroutine and with the caller's context, with an [AttemptInfo]:
// the method's name, the HTTP method and path, the attempt number, the
// status, the error (the key removed), the duration, and whether and when
// a retry follows. Both say the same things; build metrics or trace spans
// on the hook (the module examples/tracing makes OpenTelemetry spans, one
// per call and one per attempt).
//
// [WithRateLimit] gives a client one rate limit that every attempt of every
// call waits for, so that goroutines sharing the client stay under the
// API's limit together; a 429's Retry-After then holds back every call of
// the client. A wait the call's context cannot cover fails at once with
// [context.DeadlineExceeded], and that attempt is not sent.
//
//	chat, err := chatinc.NewClient(key,
//		chatinc.WithRateLimit(10, 5), // 10 calls a second, bursts of 5
//		chatinc.WithHooks(chatinc.Hooks{Attempt: func(ctx context.Context, a chatinc.AttemptInfo) {
//			attempts.WithLabelValues(a.Call, strconv.Itoa(a.StatusCode)).Inc()
//		}}),
//	)
//
// # Testing with chatinctest
//
// [github.com/chatinc/chatinc-go/chatinctest.NewServer] starts a stateful
// simulator of the API on a loopback port, as net/http/httptest does for
// HTTP: point a client at it and test your code with no account and no
// message sent. It keeps audiences, variable groups and campaigns, draws
// each message's outcome deterministically, logs the requests it got, and
// injects faults (503s, dropped connections, delays, and with
// Fault.ActFirst an answer lost after the API acted) on request.
// chatinctest.NewHandler gives the same simulator as a [net/http.Handler]
// to mount in a server of your own.
//
//	func TestSpringSale(t *testing.T) {
//		srv := chatinctest.NewServer(chatinctest.WithStrict())
//		defer srv.Close()
//		chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL))
//		if err != nil {
//			t.Fatal(err)
//		}
//		// ... run your code against chat ...
//		if n := srv.RequestCount("/run/campaign"); n != 1 {
//			t.Errorf("the campaign ran %d times, want once", n)
//		}
//	}
//
// The command github.com/chatinc/chatinc-go/cmd/chatinc-mock serves the same
// simulator on a port, over http or https, for curl, other languages and
// test networks.
package chatinc
