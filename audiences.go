package chatinc

import (
	"context"
	"net/http"

	"github.com/chatinc/chatinc-go/internal/retry"
	"github.com/chatinc/chatinc-go/internal/wire"
)

// Contact is a member of an audience, identified by a WhatsApp phone number
// in international form ("+15551234567" or "15551234567").
type Contact struct {
	// Number is the phone number, with its country code.
	Number string `json:"number"`
}

// UnmarshalJSON accepts the number as a JSON string or number.
func (c *Contact) UnmarshalJSON(data []byte) error { return unmarshalChecked(c, data) }

func (c *Contact) decodeValid(data []byte) error {
	*c = Contact{}
	return wire.Fields(data, func(name, v []byte) (err error) {
		if wire.Field(name, "number") {
			c.Number, err = wire.Text(v)
		}
		return err
	})
}

// AudienceParams describes an audience to create.
type AudienceParams struct {
	// ID is the caller's ID for the audience. Required.
	ID string `json:"id"`
	// Name is the audience's display name. Required: the API tells a create
	// from an add by its presence.
	Name string `json:"name"`
	// Description is optional.
	Description string `json:"description,omitempty"`
	// Contacts are the audience's first members; more can be added with
	// AddContactsToAudience.
	Contacts []Contact `json:"contacts,omitempty"`
}

// appendJSON writes the audience as json.Marshal would, byte for byte, but
// straight into one buffer.
func (p AudienceParams) appendJSON(b []byte) []byte {
	b = wire.AppendNamed(b, p.ID, p.Name, p.Description)
	if len(p.Contacts) > 0 {
		b = append(b, `,"contacts":`...)
		b = appendContacts(b, p.Contacts)
	}
	return append(b, '}')
}

// addContactsBody is AddContactsToAudience's body: {"id":...,"contacts":[...]}.
type addContactsBody struct {
	id       string
	contacts []Contact
}

func (a addContactsBody) validate() error {
	if err := checkName("id", a.id); err != nil {
		return err
	}
	if len(a.contacts) == 0 {
		return invalid("contacts", "at least one contact is required")
	}
	return checkContacts(a.contacts)
}

func (a addContactsBody) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = wire.AppendString(b, a.id)
	b = append(b, `,"contacts":`...)
	return append(appendContacts(b, a.contacts), '}')
}

// appendContacts appends contacts as json.Marshal writes a []Contact. It
// measures them first, so that b grows once, to hold them and the closing
// brace of the object they end: an audience may carry 100,000 contacts, and
// a buffer grown as they come would be allocated twice over.
func appendContacts(b []byte, contacts []Contact) []byte {
	if contacts == nil {
		return append(b, "null"...)
	}
	size := len("[]}") + len(contacts)*len(`,{"number":}`)
	for _, ct := range contacts {
		n, _ := wire.TextLen(ct.Number)
		size += n
	}
	if cap(b)-len(b) < size {
		// Not slices.Grow: under the race detector its append of a
		// make allocates the make too.
		b = append(make([]byte, 0, len(b)+size), b...)
	}
	b = append(b, '[')
	for i, ct := range contacts {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"number":`...)
		b = wire.AppendString(b, ct.Number)
		b = append(b, '}')
	}
	return append(b, ']')
}

func (p AudienceParams) validate() error {
	if err := checkIdentity(p.ID, p.Name, p.Description); err != nil {
		return err
	}
	return checkContacts(p.Contacts)
}

// Audience is an audience as retrieved.
type Audience struct {
	// ID is the audience's ID: use it in a campaign's audiences.
	ID string
	// Name is the audience's display name.
	Name string
	// Description is the audience's description, or "".
	Description string
	// ContactCount is the number of contacts, when the API reports it.
	ContactCount int
}

// UnmarshalJSON decodes an audience leniently (IDs as strings or numbers,
// unknown fields ignored).
func (a *Audience) UnmarshalJSON(data []byte) error { return unmarshalChecked(a, data) }

func (a *Audience) decodeValid(data []byte) error {
	*a = Audience{}
	return wire.Fields(data, func(name, v []byte) (err error) {
		switch {
		case wire.Field(name, "id"):
			a.ID, err = wire.Text(v)
		case wire.Field(name, "name"):
			a.Name, err = wire.Text(v)
		case wire.Field(name, "description"):
			a.Description, err = wire.Text(v)
		case wire.Field(name, "contactCount"):
			a.ContactCount, err = wire.Number(v)
		}
		return err
	})
}

// AudienceFileParams describes an audience to create, or extend, from a CSV
// file with a "number" column.
type AudienceFileParams struct {
	ID   string // Required.
	Name string // Required.
	File File   // Required: FileFromPath or FileFromReader.
}

func (p AudienceFileParams) validate() error {
	return checkFields(formField{"id", p.ID}, formField{"name", p.Name})
}

// audienceRef is the body of a call about one audience: {"id":...}.
type audienceRef struct {
	ID string `json:"id"`
}

func (r audienceRef) validate() error { return checkName("id", r.ID) }

// CreateAudience creates an audience, optionally with its first contacts:
// POST /create/audience. It is the JS library's createAudience.
func (c *Client) CreateAudience(ctx context.Context, p AudienceParams) (*Result, error) {
	ctx = c.named(ctx, "CreateAudience")
	if err := p.validate(); err != nil {
		return nil, err
	}
	return c.post(ctx, retry.IdempotentWrite, "create/audience", p)
}

// AddContactsToAudience adds contacts to an existing audience:
// POST /create/audience with only "id" and "contacts", as the API documents.
// Contacts already in the audience are kept once. It is the JS library's
// addContactsToAudience.
func (c *Client) AddContactsToAudience(ctx context.Context, audienceID string, contacts []Contact) (*Result, error) {
	ctx = c.named(ctx, "AddContactsToAudience")
	b := addContactsBody{audienceID, contacts}
	if err := b.validate(); err != nil {
		return nil, err
	}
	return c.post(ctx, retry.IdempotentWrite, "create/audience", b)
}

// CreateAudienceFromFile creates an audience, or adds to it, from a CSV file
// whose "number" column holds the contacts: POST /create/audience/from/file
// (multipart: file, name, id). The file streams; it is never held in memory.
// The header of a FileFromPath file or a seekable reader is read first: one
// without a "number" column is refused with a *ValidationError (Field
// "file") and nothing is sent. CheckCSV checks every row.
func (c *Client) CreateAudienceFromFile(ctx context.Context, p AudienceFileParams) (*Result, error) {
	ctx = c.named(ctx, "CreateAudienceFromFile")
	if err := p.validate(); err != nil {
		return nil, err
	}
	return c.upload(ctx, "create/audience/from/file", p.File, formField{"name", p.Name}, formField{"id", p.ID})
}

// RetrieveAudiences lists the account's audiences: GET /retrieve/audiences.
// It is the JS library's retrieveAudiences.
func (c *Client) RetrieveAudiences(ctx context.Context) ([]Audience, error) {
	ctx = c.named(ctx, "RetrieveAudiences")
	return list[Audience](ctx, c, http.MethodGet, "retrieve/audiences", nil, "audiences")
}

// RetrieveAudienceContacts lists an audience's contacts:
// POST /retrieve/audience/contacts. It is the JS library's
// retrieveAudienceCotacts.
func (c *Client) RetrieveAudienceContacts(ctx context.Context, audienceID string) ([]Contact, error) {
	ctx = c.named(ctx, "RetrieveAudienceContacts")
	b := audienceRef{audienceID}
	if err := b.validate(); err != nil {
		return nil, err
	}
	return list[Contact](ctx, c, http.MethodPost, "retrieve/audience/contacts", b, "contacts")
}
