package chatinc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/chatinc/chatinc-go/internal/retry"
	"github.com/chatinc/chatinc-go/internal/wire"
)

// Contact is a member of an audience, identified by a WhatsApp phone number
// in international form ("+15551234567" or "15551234567").
type Contact struct {
	Number string `json:"number"`
}

// UnmarshalJSON accepts the number as a JSON string or number.
func (c *Contact) UnmarshalJSON(data []byte) error {
	var w struct {
		Number wire.String `json:"number"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	c.Number = string(w.Number)
	return nil
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

func (p AudienceParams) validate() error {
	if err := checkIdentity(p.ID, p.Name, p.Description); err != nil {
		return err
	}
	return validateContacts(p.Contacts)
}

// Audience is an audience as retrieved.
type Audience struct {
	ID          string
	Name        string
	Description string
	// ContactCount is the number of contacts, when the API reports it.
	ContactCount int
}

// UnmarshalJSON decodes an audience leniently (IDs as strings or numbers,
// unknown fields ignored).
func (a *Audience) UnmarshalJSON(data []byte) error {
	var w struct {
		ID           wire.String `json:"id"`
		Name         wire.String `json:"name"`
		Description  wire.String `json:"description"`
		ContactCount wire.Int    `json:"contactCount"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*a = Audience{ID: string(w.ID), Name: string(w.Name), Description: string(w.Description), ContactCount: int(w.ContactCount)}
	return nil
}

// AudienceFileParams describes an audience to create, or extend, from a CSV
// file with a "number" column.
type AudienceFileParams struct {
	ID   string // Required.
	Name string // Required.
	File File   // Required: FileFromPath or FileFromReader.
}

// CreateAudience creates an audience, optionally with its first contacts:
// POST /create/audience. It is the JS library's createAudience.
func (c *Client) CreateAudience(ctx context.Context, p AudienceParams) (*Result, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	cl, err := c.newRequest(ctx, retry.IdempotentWrite, http.MethodPost, "create/audience", p)
	if err != nil {
		return nil, err
	}
	return c.result(cl)
}

// AddContactsToAudience adds contacts to an existing audience:
// POST /create/audience with only "id" and "contacts", as the API documents.
// Contacts already in the audience are kept once. It is the JS library's
// addContactsToAudience.
func (c *Client) AddContactsToAudience(ctx context.Context, audienceID string, contacts []Contact) (*Result, error) {
	if err := checkName("id", audienceID); err != nil {
		return nil, err
	}
	if len(contacts) == 0 {
		return nil, invalid("contacts", "at least one contact is required")
	}
	if err := validateContacts(contacts); err != nil {
		return nil, err
	}
	body := struct {
		ID       string    `json:"id"`
		Contacts []Contact `json:"contacts"`
	}{audienceID, contacts}
	cl, err := c.newRequest(ctx, retry.IdempotentWrite, http.MethodPost, "create/audience", body)
	if err != nil {
		return nil, err
	}
	return c.result(cl)
}

// CreateAudienceFromFile creates an audience, or adds to it, from a CSV file
// whose "number" column holds the contacts: POST /create/audience/from/file
// (multipart: file, name, id). The file streams; it is never held in memory.
func (c *Client) CreateAudienceFromFile(ctx context.Context, p AudienceFileParams) (*Result, error) {
	if err := checkName("id", p.ID); err != nil {
		return nil, err
	}
	if err := checkName("name", p.Name); err != nil {
		return nil, err
	}
	body, err := newMultipartBody([]formField{{"name", p.Name}, {"id", p.ID}}, "file", p.File)
	if err != nil {
		return nil, err
	}
	cl, err := c.newRequest(ctx, retry.IdempotentWrite, http.MethodPost, "create/audience/from/file", body)
	if err != nil {
		return nil, err
	}
	return c.result(cl)
}

// RetrieveAudiences lists the account's audiences: GET /retrieve/audiences.
// It is the JS library's retrieveAudiences.
func (c *Client) RetrieveAudiences(ctx context.Context) ([]Audience, error) {
	return list[Audience](ctx, c, http.MethodGet, "retrieve/audiences", nil, "audiences")
}

// RetrieveAudienceContacts lists an audience's contacts:
// POST /retrieve/audience/contacts. It is the JS library's
// retrieveAudienceCotacts.
func (c *Client) RetrieveAudienceContacts(ctx context.Context, audienceID string) ([]Contact, error) {
	if err := checkName("id", audienceID); err != nil {
		return nil, err
	}
	body := map[string]string{"id": audienceID}
	return list[Contact](ctx, c, http.MethodPost, "retrieve/audience/contacts", body, "contacts")
}

func validateContacts(contacts []Contact) error {
	for i, ct := range contacts {
		if err := validatePhone(ct.Number); err != nil {
			return invalid(fmt.Sprintf("contacts[%d].number", i), "%v", err)
		}
	}
	return nil
}

// validatePhone accepts an international phone number: 7 to 15 digits, with
// an optional leading "+" and spaces, dashes, dots or parentheses between.
func validatePhone(n string) error {
	if n == "" {
		return errors.New("required")
	}
	digits := 0
	for i, r := range n {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return fmt.Errorf("%q is not a phone number", n)
		}
	}
	if digits < 7 || digits > 15 {
		return fmt.Errorf("%q has %d digits; a phone number has 7 to 15", n, digits)
	}
	return nil
}
